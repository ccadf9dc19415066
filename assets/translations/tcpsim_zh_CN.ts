<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>tcpsim::gui::EventLogModel</name>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Time (s)</source>
        <translation>时间（秒）</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>segment</source>
        <translation>报文段</translation>
    </message>
    <message>
        <source>state</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>timer</source>
        <translation>定时器</translation>
    </message>
    <message>
        <source>call</source>
        <translation>调用</translation>
    </message>
    <message>
        <source>signal</source>
        <translation>信号</translation>
    </message>
    <message>
        <source>process</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>note</source>
        <translation>注释</translation>
    </message>
</context>
<context>
    <name>tcpsim::gui::ExportDialog</name>
    <message>
        <source>The time window cannot start before 0 s.</source>
        <translation>时间窗口不能早于 0 秒开始。</translation>
    </message>
    <message>
        <source>The time window is empty: from %1 is after to %2.</source>
        <translation>时间窗口为空：起点 %1 晚于终点 %2。</translation>
    </message>
    <message>
        <source>Unknown chart '%1'.</source>
        <translation>未知的图表“%1”。</translation>
    </message>
    <message>
        <source>No endpoint '%1' in this scenario: %2</source>
        <translation>此场景中没有端点“%1”：%2</translation>
    </message>
    <message>
        <source>The PNG size must be between 1 and 20000 pixels (0 = natural size).</source>
        <translation>PNG 尺寸必须在 1 到 20000 像素之间（0 = 原始尺寸）。</translation>
    </message>
    <message>
        <source>The resolution must be between 24 and 1200 dpi.</source>
        <translation>分辨率必须在 24 到 1200 dpi 之间。</translation>
    </message>
    <message>
        <source>Unknown page size '%1' (expected A4 or Letter).</source>
        <translation>未知的纸张大小“%1”（应为 A4 或 Letter）。</translation>
    </message>
    <message>
        <source>Choose a folder for the frames.</source>
        <translation>请选择保存帧的文件夹。</translation>
    </message>
    <message>
        <source>Choose a file to write.</source>
        <translation>请选择要写入的文件。</translation>
    </message>
    <message>
        <source>%1 is a file, not a folder.</source>
        <translation>%1 是文件，不是文件夹。</translation>
    </message>
    <message>
        <source>Cannot write to %1: the folder %2 does not exist.</source>
        <translation>无法写入 %1：文件夹 %2 不存在。</translation>
    </message>
    <message>
        <source>Cannot write to %1: the folder is not writable.</source>
        <translation>无法写入 %1：文件夹不可写。</translation>
    </message>
    <message>
        <source>Unknown format '%1' of %2 (expected .svg, .pdf or .png).</source>
        <translation>%2 的格式“%1”未知（应为 .svg、.pdf 或 .png）。</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>%1 is a folder; choose a file name.</source>
        <translation>%1 是文件夹；请选择文件名。</translation>
    </message>
    <message>
        <source>Cannot write to %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Time (s)</source>
        <translation>时间（秒）</translation>
    </message>
    <message>
        <source>Source → Destination</source>
        <translation>源 → 目的</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>标志</translation>
    </message>
    <message>
        <source>Seq</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>Ack</source>
        <translation>确认号</translation>
    </message>
    <message>
        <source>Len</source>
        <translation>长度</translation>
    </message>
    <message>
        <source>%1 packets; the first %2 are listed.</source>
        <translation>共 %1 个报文；列出前 %2 个。</translation>
    </message>
    <message numerus="yes">
        <source>%n packet(s).</source>
        <translation><numerusform>%n 个报文。</numerusform></translation>
    </message>
    <message>
        <source>%1 lines; the first %2 are shown.</source>
        <translation>共 %1 行；显示前 %2 行。</translation>
    </message>
    <message numerus="yes">
        <source>%n line(s), %1 bytes.</source>
        <translation><numerusform>%n 行，%1 字节。</numerusform></translation>
    </message>
    <message>
        <source>The preview could not be drawn.</source>
        <translation>无法绘制预览。</translation>
    </message>
    <message>
        <source>Drawing %1 × %2 px.</source>
        <translation>图像 %1 × %2 像素。</translation>
    </message>
    <message>
        <source>The preview shows its top part.</source>
        <translation>预览只显示上半部分。</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Packet timeline (ladder diagram)</source>
        <translation>报文时序图（梯形图）</translation>
    </message>
    <message>
        <source>State diagrams</source>
        <translation>状态图</translation>
    </message>
    <message>
        <source>Chart</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>Animation frames (PNG folder)</source>
        <translation>动画帧（PNG 文件夹）</translation>
    </message>
    <message>
        <source>Capture for Wireshark (pcap)</source>
        <translation>Wireshark 抓包文件（pcap）</translation>
    </message>
    <message>
        <source>Mermaid sequence diagram</source>
        <translation>Mermaid 时序图</translation>
    </message>
    <message>
        <source>PlantUML sequence diagram</source>
        <translation>PlantUML 时序图</translation>
    </message>
    <message>
        <source>Graphviz DOT state machine</source>
        <translation>Graphviz DOT 状态机</translation>
    </message>
    <message>
        <source>JSONL trace</source>
        <translation>JSONL 轨迹</translation>
    </message>
    <message>
        <source>CSV of socket counts per state</source>
        <translation>各状态套接字数量 CSV</translation>
    </message>
    <message>
        <source>Export:</source>
        <translation>导出：</translation>
    </message>
    <message>
        <source>Both endpoints</source>
        <translation>两个端点</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Endpoints:</source>
        <translation>端点：</translation>
    </message>
    <message>
        <source>Sockets per state</source>
        <translation>各状态套接字数</translation>
    </message>
    <message>
        <source>Endpoint states</source>
        <translation>端点状态</translation>
    </message>
    <message>
        <source>Seq / ack</source>
        <translation>序列号 / 确认号</translation>
    </message>
    <message>
        <source>Chart:</source>
        <translation>图表：</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>end</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Virtual time, e.g. 1.5s, 200ms, 40us or a number of seconds</source>
        <translation>虚拟时间，例如 1.5s、200ms、40us 或秒数</translation>
    </message>
    <message>
        <source>Whole scenario</source>
        <translation>整个场景</translation>
    </message>
    <message>
        <source>Up to the cursor</source>
        <translation>到当前光标</translation>
    </message>
    <message>
        <source>from</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <source>Time window:</source>
        <translation>时间窗口：</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>PNG size:</source>
        <translation>PNG 尺寸：</translation>
    </message>
    <message>
        <source>Resolution:</source>
        <translation>分辨率：</translation>
    </message>
    <message>
        <source>One page, the size of the drawing</source>
        <translation>单页，与图同大</translation>
    </message>
    <message>
        <source>A4 pages</source>
        <translation>A4 分页</translation>
    </message>
    <message>
        <source>Letter pages</source>
        <translation>Letter 分页</translation>
    </message>
    <message>
        <source>PDF pages:</source>
        <translation>PDF 页面：</translation>
    </message>
    <message>
        <source>Labels:</source>
        <translation>标签语言：</translation>
    </message>
    <message>
        <source>Include dropped segments</source>
        <translation>包含被丢弃的报文段</translation>
    </message>
    <message>
        <source>Capture at the sender: a segment the network dropped was still sent. Without them the capture is taken after the loss point.</source>
        <translation>在发送端抓包：被网络丢弃的报文段仍然发送过。不包含时，相当于在丢包点之后抓包。</translation>
    </message>
    <message>
        <source>Capture:</source>
        <translation>抓包：</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Save to:</source>
        <translation>保存到：</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Cannot read the %1 time '%2' (write e.g. 1.5s, 200ms or 40us).</source>
        <translation>无法读取%1时间“%2”（例如写 1.5s、200ms 或 40us）。</translation>
    </message>
    <message>
        <source>Choose the folder for frame-0001.png, frame-0002.png, …</source>
        <translation>选择保存 frame-0001.png、frame-0002.png… 的文件夹</translation>
    </message>
    <message>
        <source>Choose the file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <source>Folder for the frames</source>
        <translation>动画帧的保存目录</translation>
    </message>
    <message>
        <source>SVG (*.svg);;PDF (*.pdf);;PNG (*.png)</source>
        <translation>SVG (*.svg);;PDF (*.pdf);;PNG (*.png)</translation>
    </message>
    <message>
        <source>%1 (*.%2)</source>
        <translation>%1 (*.%2)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Export to</source>
        <translation>导出到</translation>
    </message>
    <message>
        <source>Open a scenario first.</source>
        <translation>请先打开一个场景。</translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s) of the main view as it is now (%1 × %2 px), one per event.</source>
        <translation><numerusform>主视图按当前样子（%1 × %2 像素）共 %n 帧，每个事件一帧。</numerusform></translation>
    </message>
    <message>
        <source>%1 already has frames. Replace them?</source>
        <translation>%1 中已有帧。要替换吗？</translation>
    </message>
    <message>
        <source>%1 exists. Replace it?</source>
        <translation>%1 已存在。要替换吗？</translation>
    </message>
    <message>
        <source>Replace?</source>
        <translation>替换？</translation>
    </message>
    <message>
        <source>Exported %1.</source>
        <translation>已导出 %1。</translation>
    </message>
    <message>
        <source>A big workload keeps no trace to export.</source>
        <translation>大规模负载不保留可导出的轨迹。</translation>
    </message>
    <message>
        <source>cwnd / RTT</source>
        <translation>拥塞窗口 / 往返时间</translation>
    </message>
</context>
<context>
    <name>tcpsim::gui::Inspector</name>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>not created yet</source>
        <translation>尚未创建</translation>
    </message>
    <message>
        <source>Local</source>
        <translation>本端</translation>
    </message>
    <message>
        <source>Remote</source>
        <translation>对端</translation>
    </message>
    <message>
        <source>Send buffer</source>
        <translation>发送缓冲区</translation>
    </message>
    <message numerus="yes">
        <source>%n byte(s)</source>
        <translation><numerusform>%n 字节</numerusform></translation>
    </message>
    <message>
        <source>Receive buffer (unread)</source>
        <translation>接收缓冲区（未读）</translation>
    </message>
    <message>
        <source>RTO</source>
        <translation>RTO</translation>
    </message>
    <message>
        <source>Retransmissions</source>
        <translation>重传次数</translation>
    </message>
    <message>
        <source>Timer %1</source>
        <translation>定时器 %1</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>剩余 %1</translation>
    </message>
    <message>
        <source>Timers</source>
        <translation>定时器</translation>
    </message>
    <message>
        <source>none armed</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Held by</source>
        <translation>持有者</translation>
    </message>
    <message>
        <source>no process (orphan)</source>
        <translation>无进程（孤儿套接字）</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>Selected segment</source>
        <translation>选中的报文段</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>源</translation>
    </message>
    <message>
        <source>Destination</source>
        <translation>目的</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>标志</translation>
    </message>
    <message>
        <source>Sequence number</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>Acknowledgement number</source>
        <translation>确认号</translation>
    </message>
    <message>
        <source>— (no ACK flag)</source>
        <translation>—（无 ACK 标志）</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Payload length</source>
        <translation>载荷长度</translation>
    </message>
    <message>
        <source>Sent at</source>
        <translation>发送时间</translation>
    </message>
    <message>
        <source>Delivered at</source>
        <translation>到达时间</translation>
    </message>
    <message>
        <source>Dropped at</source>
        <translation>丢弃时间</translation>
    </message>
    <message>
        <source>Retransmission</source>
        <translation>重传</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>delayed ACK</source>
        <translation>延迟 ACK</translation>
    </message>
    <message>
        <source>TIME_WAIT</source>
        <translation>TIME_WAIT</translation>
    </message>
    <message>
        <source>FIN_WAIT_2</source>
        <translation>FIN_WAIT_2</translation>
    </message>
    <message>
        <source>keepalive</source>
        <translation>保活</translation>
    </message>
    <message>
        <source>linger</source>
        <translation>linger 逗留</translation>
    </message>
    <message>
        <source>%1 (pid %2)</source>
        <translation>%1（pid %2）</translation>
    </message>
    <message>
        <source>%1  (relative %2)</source>
        <translation>%1  （相对值 %2）</translation>
    </message>
    <message>
        <source>Open (no loss seen)</source>
        <translation>Open（未见丢包）</translation>
    </message>
    <message numerus="yes">
        <source>Disorder (%n duplicate ACK(s))</source>
        <translation><numerusform>Disorder（%n 个重复 ACK）</numerusform></translation>
    </message>
    <message>
        <source>Recovery (fast retransmit)</source>
        <translation>Recovery（快速重传）</translation>
    </message>
    <message>
        <source>Loss (after an RTO)</source>
        <translation>Loss（RTO 之后）</translation>
    </message>
    <message>
        <source>infinite (no loss yet)</source>
        <translation>无穷大（尚未丢包）</translation>
    </message>
    <message>
        <source>SRTT</source>
        <translation>SRTT（平滑往返时间）</translation>
    </message>
    <message>
        <source>no RTT sample yet</source>
        <translation>尚无 RTT 样本</translation>
    </message>
    <message>
        <source>RTTVAR</source>
        <translation>RTTVAR（往返时间偏差）</translation>
    </message>
    <message>
        <source>Congestion state</source>
        <translation>拥塞状态</translation>
    </message>
    <message>
        <source>cwnd (congestion window)</source>
        <translation>cwnd（拥塞窗口）</translation>
    </message>
    <message>
        <source>ssthresh (slow-start threshold)</source>
        <translation>ssthresh（慢启动阈值）</translation>
    </message>
</context>
<context>
    <name>tcpsim::gui::Lab</name>
    <message>
        <source>Save branch as</source>
        <translation>将分支另存为</translation>
    </message>
    <message>
        <source>Scenarios (*.yaml *.yml)</source>
        <translation>场景 (*.yaml *.yml)</translation>
    </message>
    <message>
        <source>The original run keeps its name; make a branch first (right-click a segment or a socket).</source>
        <translation>原始运行的名称不能修改；请先创建分支（右键单击报文段或套接字）。</translation>
    </message>
    <message>
        <source>Rename branch</source>
        <translation>重命名分支</translation>
    </message>
    <message>
        <source>Name of the branch:</source>
        <translation>分支名称：</translation>
    </message>
    <message>
        <source>The original is a scenario file already; Save branch as… saves a branch.</source>
        <translation>原始运行本身就是场景文件；“将分支另存为…”用于保存分支。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Act on the left endpoint: %1</source>
        <translation>作用于左侧端点：%1</translation>
    </message>
    <message>
        <source>Act on the right endpoint: %1</source>
        <translation>作用于右侧端点：%1</translation>
    </message>
    <message>
        <source>Compare with parent needs a branch: right-click a segment or a socket and choose an action, or use Lab → Compare profiles.</source>
        <translation>“与父运行比较”需要一个分支：右键单击报文段或套接字并选择一个操作，或使用“实验 → 比较配置”。</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>原始运行</translation>
    </message>
    <message>
        <source>Only a branch can be renamed.</source>
        <translation>只能重命名分支。</translation>
    </message>
    <message>
        <source>A branch needs a name; it keeps “%1”.</source>
        <translation>分支必须有名称；保留“%1”。</translation>
    </message>
    <message>
        <source>The original run cannot be closed; open another scenario instead.</source>
        <translation>原始运行不能关闭；请改为打开另一个场景。</translation>
    </message>
    <message>
        <source>Closed the branch “%1” and the %2 branch(es) made from it.</source>
        <translation>已关闭分支“%1”以及由它创建的 %2 个分支。</translation>
    </message>
    <message>
        <source>Closed the branch “%1”.</source>
        <translation>已关闭分支“%1”。</translation>
    </message>
    <message>
        <source>Only a branch can be saved as a scenario.</source>
        <translation>只有分支可以保存为场景。</translation>
    </message>
    <message>
        <source>No file name given.</source>
        <translation>未给出文件名。</translation>
    </message>
    <message>
        <source>The branch “%1” cannot be written as a scenario file: %2</source>
        <translation>分支“%1”无法写成场景文件：%2</translation>
    </message>
    <message>
        <source>Could not save the branch “%1”: %2</source>
        <translation>无法保存分支“%1”：%2</translation>
    </message>
    <message>
        <source>Saved the branch “%1” as %2: it opens, runs and checks like any other scenario (File → Open).</source>
        <translation>已将分支“%1”保存为 %2：它可以像其他场景一样打开、运行和检查（文件 → 打开）。</translation>
    </message>
    <message>
        <source>segment %1 from %2 at %3</source>
        <translation>%2 在 %3 发送的报文段 %1</translation>
    </message>
    <message>
        <source>socket %1</source>
        <translation>套接字 %1</translation>
    </message>
    <message>
        <source>Acts on: %1</source>
        <translation>作用对象：%1</translation>
    </message>
    <message>
        <source>Open a scenario first.</source>
        <translation>请先打开一个场景。</translation>
    </message>
    <message>
        <source>No segment is selected: click a segment's arrow in the packet timeline (or step the cursor to a segment's event), then choose the action again.</source>
        <translation>未选中报文段：请在报文时序图中单击报文段的箭头（或把游标移到报文段的事件上），然后重新选择操作。</translation>
    </message>
    <message>
        <source>“%1” is not a delay: give a time above zero such as 200ms or 1.5s.</source>
        <translation>“%1”不是有效的延迟：请给出大于零的时间，例如 200ms 或 1.5s。</translation>
    </message>
    <message>
        <source>No socket is selected: right-click a state diagram, a lifeline's header or the inspector, or choose the endpoint in the Lab menu (Ctrl+1, Ctrl+2).</source>
        <translation>未选中套接字：请右键单击状态图、生命线标题或检查器，或在“实验”菜单中选择端点（Ctrl+1、Ctrl+2）。</translation>
    </message>
    <message>
        <source>The socket is not in this run.</source>
        <translation>该套接字不在此运行中。</translation>
    </message>
    <message>
        <source>The socket %1 has no process and name to act on.</source>
        <translation>套接字 %1 没有可操作的进程和名称。</translation>
    </message>
    <message>
        <source>Unknown action.</source>
        <translation>未知操作。</translation>
    </message>
    <message>
        <source>A branch is running: wait for it, or cancel it.</source>
        <translation>一个分支正在运行：请等待它完成，或取消它。</translation>
    </message>
    <message>
        <source>A big workload keeps no trace, so there is nothing to act on; the lab needs a scenario under the big-workload threshold.</source>
        <translation>大型负载不保留轨迹，因此没有可操作的对象；实验需要低于大型负载阈值的场景。</translation>
    </message>
    <message>
        <source>Delay the segment</source>
        <translation>延迟报文段</translation>
    </message>
    <message>
        <source>Delay it by (e.g. 200ms, 1.5s):</source>
        <translation>延迟时间（例如 200ms、1.5s）：</translation>
    </message>
    <message>
        <source>send()</source>
        <translation>send()</translation>
    </message>
    <message>
        <source>Number of bytes to send:</source>
        <translation>要发送的字节数：</translation>
    </message>
    <message>
        <source>Take the link down</source>
        <translation>断开链路</translation>
    </message>
    <message>
        <source>Down for (e.g. 500ms, 5s):</source>
        <translation>断开时长（例如 500ms、5s）：</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Cannot do “%1”: column %2: %3</source>
        <translation>无法执行“%1”：第 %2 列：%3</translation>
    </message>
    <message>
        <source>Cannot do “%1”: %2</source>
        <translation>无法执行“%1”：%2</translation>
    </message>
    <message>
        <source>Running the branch “%1”…</source>
        <translation>正在运行分支“%1”…</translation>
    </message>
    <message>
        <source>The branch “%1” could not run: %2</source>
        <translation>分支“%1”无法运行：%2</translation>
    </message>
    <message>
        <source>Cancelled: no branch was made.</source>
        <translation>已取消：没有创建分支。</translation>
    </message>
    <message>
        <source>The run “%1” was closed while its branch ran; the branch was discarded.</source>
        <translation>分支运行期间运行“%1”已被关闭；该分支已丢弃。</translation>
    </message>
    <message>
        <source>action: %1</source>
        <translation>操作：%1</translation>
    </message>
    <message>
        <source>Branch “%1”: the runs part at event %2 (t = %3); the two are side by side below. F7 switches the comparison, Ctrl+W closes the branch.</source>
        <translation>分支“%1”：两次运行在事件 %2（t = %3）处分开；下方并排显示两者。F7 切换比较视图，Ctrl+W 关闭分支。</translation>
    </message>
    <message>
        <source>Open a scenario first (a big workload keeps no trace to compare).</source>
        <translation>请先打开一个场景（大型负载不保留可比较的轨迹）。</translation>
    </message>
    <message>
        <source>Running the scenario under linux and rfc9293…</source>
        <translation>正在以 linux 和 rfc9293 配置运行场景…</translation>
    </message>
    <message>
        <source>The profiles could not be compared: %1</source>
        <translation>无法比较这两种配置：%1</translation>
    </message>
    <message>
        <source>every host under the linux profile</source>
        <translation>所有主机使用 linux 配置</translation>
    </message>
    <message>
        <source>every host under the rfc9293 profile</source>
        <translation>所有主机使用 rfc9293 配置</translation>
    </message>
    <message>
        <source>linux and rfc9293 give the same run here, event for event.</source>
        <translation>在此场景中 linux 与 rfc9293 的运行逐个事件完全相同。</translation>
    </message>
    <message>
        <source>linux | rfc9293: the runs part at event %1 (t = %2); the differences are listed below.</source>
        <translation>linux | rfc9293：两次运行在事件 %1（t = %2）处分开；差异列在下方。</translation>
    </message>
    <message>
        <source>Nothing to act on here</source>
        <translation>此处没有可操作的对象</translation>
    </message>
    <message>
        <source>La&amp;b</source>
        <translation>实验(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Drop this segment</source>
        <translation>丢弃此报文段(&amp;D)</translation>
    </message>
    <message>
        <source>De&amp;lay this segment by…</source>
        <translation>延迟此报文段(&amp;L)…</translation>
    </message>
    <message>
        <source>D&amp;uplicate this segment</source>
        <translation>复制此报文段(&amp;U)</translation>
    </message>
    <message>
        <source>Select the ne&amp;xt segment</source>
        <translation>选择下一个报文段(&amp;X)</translation>
    </message>
    <message>
        <source>Select the pre&amp;vious segment</source>
        <translation>选择上一个报文段(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;close() the socket</source>
        <translation>对套接字调用 close()(&amp;C)</translation>
    </message>
    <message>
        <source>shutdown(SHUT_&amp;WR)</source>
        <translation>关闭写方向 shutdown(SHUT_WR)(&amp;W)</translation>
    </message>
    <message>
        <source>shutdown(SHUT_WR): no more sending; a FIN goes out</source>
        <translation>shutdown(SHUT_WR)：不再发送；发出 FIN</translation>
    </message>
    <message>
        <source>shutdown(SHUT_&amp;RD)</source>
        <translation>关闭读方向 shutdown(SHUT_RD)(&amp;R)</translation>
    </message>
    <message>
        <source>shutdown(SHUT_RD): no more receiving</source>
        <translation>shutdown(SHUT_RD)：不再接收</translation>
    </message>
    <message>
        <source>shutdown(SHUT_RDWR): both directions</source>
        <translation>shutdown(SHUT_RDWR)：两个方向</translation>
    </message>
    <message>
        <source>&amp;send() N bytes…</source>
        <translation>用 send() 发送 N 字节(&amp;S)…</translation>
    </message>
    <message>
        <source>SO_LINGER 0 and close() (&amp;abort: RST)</source>
        <translation>SO_LINGER 0 后 close()（中止：RST）(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Exit the process</source>
        <translation>退出进程(&amp;E)</translation>
    </message>
    <message>
        <source>Crash the &amp;host (power off)</source>
        <translation>让主机崩溃（断电）(&amp;H)</translation>
    </message>
    <message>
        <source>Take the lin&amp;k down for…</source>
        <translation>断开链路一段时间(&amp;K)…</translation>
    </message>
    <message>
        <source>Act on the left endpoint</source>
        <translation>作用于左侧端点</translation>
    </message>
    <message>
        <source>Act on the right endpoint</source>
        <translation>作用于右侧端点</translation>
    </message>
    <message>
        <source>Actions at the cursor…</source>
        <translation>游标处的操作…</translation>
    </message>
    <message>
        <source>The context menu of the selected segment and endpoint</source>
        <translation>选中报文段和端点的上下文菜单</translation>
    </message>
    <message>
        <source>Compare with &amp;parent</source>
        <translation>与父运行比较(&amp;P)</translation>
    </message>
    <message>
        <source>The branch and the run it was made from, side by side</source>
        <translation>并排显示分支及其来源运行</translation>
    </message>
    <message>
        <source>Next run</source>
        <translation>下一个运行</translation>
    </message>
    <message>
        <source>Previous run</source>
        <translation>上一个运行</translation>
    </message>
    <message>
        <source>Close &amp;branch</source>
        <translation>关闭分支(&amp;B)</translation>
    </message>
    <message>
        <source>Save &amp;branch as…</source>
        <translation>将分支另存为(&amp;B)…</translation>
    </message>
    <message>
        <source>Write the current branch as a scenario file</source>
        <translation>把当前分支写成场景文件</translation>
    </message>
    <message>
        <source>The original run and its branches: F2 renames, Ctrl+W closes, Ctrl+PgDown / Ctrl+PgUp switch</source>
        <translation>原始运行及其分支：F2 重命名，Ctrl+W 关闭，Ctrl+PgDown / Ctrl+PgUp 切换</translation>
    </message>
    <message>
        <source>shutdown(SHUT_RDWR) (b&amp;oth)</source>
        <translation>关闭读写两个方向 shutdown(SHUT_RDWR)(&amp;O)</translation>
    </message>
    <message>
        <source>Compare pro&amp;files (linux | rfc9293)</source>
        <translation>比较配置（linux | rfc9293）(&amp;F)</translation>
    </message>
    <message>
        <source>Re&amp;name branch…</source>
        <translation>重命名分支(&amp;N)…</translation>
    </message>
    <message>
        <source>%1 ▶</source>
        <translation>%1 ▶</translation>
    </message>
    <message>
        <source>◀ %1</source>
        <translation>◀ %1</translation>
    </message>
    <message>
        <source>Acts on %1: %2</source>
        <translation>作用于 %1：%2</translation>
    </message>
</context>
<context>
    <name>tcpsim::gui::MainWindow</name>
    <message>
        <source>About tcpsim</source>
        <translation>关于 tcpsim</translation>
    </message>
    <message>
        <source>tcpsim — %1</source>
        <translation>tcpsim — %1</translation>
    </message>
    <message>
        <source>tcpsim</source>
        <translation>tcpsim</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Playback</source>
        <translation>播放(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Open scenario…</source>
        <translation>打开场景(&amp;O)…</translation>
    </message>
    <message>
        <source>Packet timeline (SVG, PDF, PNG)…</source>
        <translation>报文时序图（SVG、PDF、PNG）…</translation>
    </message>
    <message>
        <source>State diagrams (SVG, PDF, PNG)…</source>
        <translation>状态图（SVG、PDF、PNG）…</translation>
    </message>
    <message>
        <source>Chart (SVG, PDF, PNG)…</source>
        <translation>图表（SVG、PDF、PNG）…</translation>
    </message>
    <message>
        <source>Animation frames (PNG sequence)…</source>
        <translation>动画帧（PNG 序列）…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Full screen</source>
        <translation>全屏(&amp;F)</translation>
    </message>
    <message>
        <source>Zoom timeline in</source>
        <translation>放大时序图</translation>
    </message>
    <message>
        <source>Zoom timeline out</source>
        <translation>缩小时序图</translation>
    </message>
    <message>
        <source>&amp;About tcpsim</source>
        <translation>关于 tcpsim(&amp;A)</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <source>|◀ Start</source>
        <translation>|◀ 开始</translation>
    </message>
    <message>
        <source>◀◀ State</source>
        <translation>◀◀ 状态</translation>
    </message>
    <message>
        <source>◀ Step</source>
        <translation>◀ 单步</translation>
    </message>
    <message>
        <source>Step ▶</source>
        <translation>单步 ▶</translation>
    </message>
    <message>
        <source>State ▶▶</source>
        <translation>状态 ▶▶</translation>
    </message>
    <message>
        <source>End ▶|</source>
        <translation>结束 ▶|</translation>
    </message>
    <message>
        <source>❚❚ Pause</source>
        <translation>❚❚ 暂停</translation>
    </message>
    <message>
        <source>▶ Play</source>
        <translation>▶ 播放</translation>
    </message>
    <message>
        <source>Go to the start (Home)</source>
        <translation>回到开始（Home）</translation>
    </message>
    <message>
        <source>Previous state change (Shift+Left)</source>
        <translation>上一次状态变化（Shift+←）</translation>
    </message>
    <message>
        <source>One event back (Left)</source>
        <translation>后退一个事件（←）</translation>
    </message>
    <message>
        <source>Play / pause (Space)</source>
        <translation>播放 / 暂停（空格）</translation>
    </message>
    <message>
        <source>One event forward (Right)</source>
        <translation>前进一个事件（→）</translation>
    </message>
    <message>
        <source>Next state change (Shift+Right)</source>
        <translation>下一次状态变化（Shift+→）</translation>
    </message>
    <message>
        <source>Go to the end (End)</source>
        <translation>跳到结尾（End）</translation>
    </message>
    <message>
        <source>Scenarios and lesson</source>
        <translation>场景与讲解</translation>
    </message>
    <message>
        <source>Event log and inspector</source>
        <translation>事件日志与检查器</translation>
    </message>
    <message>
        <source>Filter by name, title or tag…</source>
        <translation>按名称、标题或标签筛选…</translation>
    </message>
    <message>
        <source>Packet timeline</source>
        <translation>报文时序图</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>Endpoint states</source>
        <translation>端点状态</translation>
    </message>
    <message>
        <source>Sockets per state</source>
        <translation>各状态套接字数</translation>
    </message>
    <message>
        <source>Seq / ack</source>
        <translation>序列号 / 确认号</translation>
    </message>
    <message>
        <source>Connection:</source>
        <translation>连接：</translation>
    </message>
    <message>
        <source>Playback speed</source>
        <translation>播放速度</translation>
    </message>
    <message>
        <source>Time scrubber: drag to move through the events</source>
        <translation>时间滑块：拖动以浏览事件</translation>
    </message>
    <message>
        <source>Could not load %1 (the previous scenario stays loaded):
%2</source>
        <translation>无法加载 %1（仍保留之前的场景）：
%2</translation>
    </message>
    <message>
        <source>Could not run %1 (the previous scenario stays loaded):
%2</source>
        <translation>无法运行 %1（仍保留之前的场景）：
%2</translation>
    </message>
    <message>
        <source>Pick a scenario from the list, open a file (File → Open) or drop one here.</source>
        <translation>从列表中选择一个场景，打开文件（文件 → 打开），或把文件拖到这里。</translation>
    </message>
    <message>
        <source>References</source>
        <translation>参考资料</translation>
    </message>
    <message>
        <source>t = %1 s   event %2 / %3</source>
        <translation>t = %1 秒   事件 %2 / %3</translation>
    </message>
    <message>
        <source>At the start: nothing has happened yet.</source>
        <translation>开始：尚未发生任何事件。</translation>
    </message>
    <message>
        <source>Open scenario</source>
        <translation>打开场景</translation>
    </message>
    <message>
        <source>Scenarios (*.yaml *.yml)</source>
        <translation>场景 (*.yaml *.yml)</translation>
    </message>
    <message>
        <source>Open a scenario first.</source>
        <translation>请先打开一个场景。</translation>
    </message>
    <message>
        <source>Scenario (tags)</source>
        <translation>场景（标签）</translation>
    </message>
    <message>
        <source>&amp;Export as</source>
        <translation>导出为(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <source>Capture for Wireshark (pcap)…</source>
        <translation>Wireshark 抓包文件（pcap）…</translation>
    </message>
    <message>
        <source>Mermaid sequence diagram…</source>
        <translation>Mermaid 时序图…</translation>
    </message>
    <message>
        <source>PlantUML sequence diagram…</source>
        <translation>PlantUML 时序图…</translation>
    </message>
    <message>
        <source>Graphviz DOT state machine…</source>
        <translation>Graphviz DOT 状态机…</translation>
    </message>
    <message>
        <source>JSONL trace…</source>
        <translation>JSONL 轨迹…</translation>
    </message>
    <message>
        <source>CSV of socket counts…</source>
        <translation>套接字数量 CSV…</translation>
    </message>
    <message>
        <source>The time window is empty.</source>
        <translation>时间窗口为空。</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>无法创建文件夹 %1。</translation>
    </message>
    <message>
        <source>%1 already has frames.</source>
        <translation>%1 中已有帧。</translation>
    </message>
    <message>
        <source>Cannot write to %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Saving the frames…</source>
        <translation>正在保存帧…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <source>Cancelled; no frames were written.</source>
        <translation>已取消；没有写入任何帧。</translation>
    </message>
    <message>
        <source>Cannot move %1 into %2.</source>
        <translation>无法把 %1 移到 %2。</translation>
    </message>
    <message>
        <source>Running %1 counts-only (%2 connections)…</source>
        <translation>正在以仅计数方式运行 %1（%2 个连接）…</translation>
    </message>
    <message>
        <source>Big workload: this scenario opens about %1 connections, more than %2. Only the socket counts per state were kept (no trace), so the Sockets per state chart shows the run; the packet timeline, the state diagrams, the event log and the other charts need a scenario under %2 connections.</source>
        <translation>大规模负载：此场景约打开 %1 个连接，超过 %2 个。只保留了各状态的套接字数量（没有轨迹），所以由“各状态套接字数”图表展示这次运行；报文时序图、状态图、事件日志和其他图表需要少于 %2 个连接的场景。</translation>
    </message>
    <message>
        <source>Exports need the trace, which a big workload does not keep. Use tcpsim export --chart states or --csv on the command line; they run counts-only too.</source>
        <translation>导出需要轨迹，而大规模负载不保留轨迹。请在命令行使用 tcpsim export --chart states 或 --csv；它们同样以仅计数方式运行。</translation>
    </message>
    <message>
        <source>&amp;Time scale</source>
        <translation>时间刻度(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Lecture mode</source>
        <translation>授课模式(&amp;L)</translation>
    </message>
    <message>
        <source>Large text and both lifelines for a projector (Ctrl+P)</source>
        <translation>为投影仪放大文字并显示两条生命线（Ctrl+P）</translation>
    </message>
    <message>
        <source>Lecture view: diagrams and timeline / timeline / diagrams</source>
        <translation>授课视图：状态图与时序图 / 仅时序图 / 仅状态图</translation>
    </message>
    <message>
        <source>&amp;Hide what comes next</source>
        <translation>隐藏接下来的内容(&amp;H)</translation>
    </message>
    <message>
        <source>Hide the next state and the segments not yet sent (H)</source>
        <translation>隐藏下一个状态和尚未发送的报文段（H）</translation>
    </message>
    <message>
        <source>Compressed (long idle periods cut)</source>
        <translation>压缩（截去长时间空闲）</translation>
    </message>
    <message>
        <source>Linear (uniform time)</source>
        <translation>线性（时间均匀）</translation>
    </message>
    <message>
        <source>Textbook (one row per segment)</source>
        <translation>教科书（每个报文段一行）</translation>
    </message>
    <message>
        <source>Time scale:</source>
        <translation>时间刻度：</translation>
    </message>
    <message>
        <source>Compressed</source>
        <translation>压缩</translation>
    </message>
    <message>
        <source>Linear</source>
        <translation>线性</translation>
    </message>
    <message>
        <source>Textbook</source>
        <translation>教科书</translation>
    </message>
    <message>
        <source>How time maps to the packet timeline's vertical axis</source>
        <translation>时间如何映射到报文时序图的纵轴</translation>
    </message>
    <message>
        <source>t = %1 s   event %2</source>
        <translation>t = %1 秒   第 %2 个事件</translation>
    </message>
    <message>
        <source>Playback controls</source>
        <translation>播放控制</translation>
    </message>
    <message>
        <source>The run was cut short, so the views end early: %1</source>
        <translation>运行被提前截断，视图到此为止：%1</translation>
    </message>
    <message>
        <source>Show calls and timers</source>
        <translation>显示系统调用和定时器</translation>
    </message>
    <message>
        <source>Successful system calls and timers on the packet timeline (a textbook figure leaves them out; failed calls, states, drops and notes are always shown)</source>
        <translation>在报文时序图上显示成功的系统调用和定时器（教科书式的图会省略它们；失败的调用、状态、丢弃和注释始终显示）</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;tcpsim %1&lt;/b&gt; — a TCP state-machine simulator for teaching and for understanding production incidents.&lt;/p&gt;&lt;p&gt;Built from git commit &lt;tt&gt;%2&lt;/tt&gt;.&lt;br&gt;Licence: %3 (see /usr/share/doc/tcpsim/copyright or LICENSE in the source).&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;tcpsim %1&lt;/b&gt; — 一个用于教学和理解生产事故的 TCP 状态机模拟器。&lt;/p&gt;&lt;p&gt;构建自 git 提交 &lt;tt&gt;%2&lt;/tt&gt;。&lt;br&gt;许可证：%3（见 /usr/share/doc/tcpsim/copyright 或源码中的 LICENSE）。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>cwnd / RTT</source>
        <translation>拥塞窗口 / 往返时间</translation>
    </message>
</context>
<context>
    <name>tcpsim::gui::Quiz</name>
    <message>
        <source>The lesson is hidden during the quiz, since it tells what happens next. Each answer shows the paragraph of the lesson that explains it.</source>
        <translation>测验期间课程内容被隐藏，因为它会透露接下来发生的事。每次作答后会显示解释该答案的课程段落。</translation>
    </message>
    <message>
        <source>&amp;Quiz</source>
        <translation>测验(&amp;Q)</translation>
    </message>
    <message>
        <source>Guess each next state or segment before it is shown, with a score (Q)</source>
        <translation>在显示之前猜出每个下一状态或报文段，并计分（Q）</translation>
    </message>
    <message>
        <source>Quiz</source>
        <translation>测验</translation>
    </message>
    <message>
        <source>Restart (R)</source>
        <translation>重新开始（R）</translation>
    </message>
    <message>
        <source>Leave (Esc)</source>
        <translation>退出测验（Esc）</translation>
    </message>
    <message>
        <source>Score %1 / %2</source>
        <translation>得分 %1 / %2</translation>
    </message>
    <message>
        <source>data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>The quiz needs the trace, which a big workload does not keep.</source>
        <translation>测验需要轨迹，而大型负载不保留轨迹。</translation>
    </message>
    <message>
        <source>Open a scenario first.</source>
        <translation>请先打开一个场景。</translation>
    </message>
    <message>
        <source>no state yet</source>
        <translation>尚无状态</translation>
    </message>
    <message>
        <source>Question %1: %2 is in %3. Which state comes next?</source>
        <translation>第 %1 题：%2 处于 %3。下一个状态是什么？</translation>
    </message>
    <message>
        <source>Question %1: %2 is in %3 and its application calls %4. Which state comes next?</source>
        <translation>第 %1 题：%2 处于 %3，其应用程序调用 %4。下一个状态是什么？</translation>
    </message>
    <message>
        <source>Question %1: %2 (in %3) sends a segment. Which flags does it carry?</source>
        <translation>第 %1 题：%2（处于 %3）发送一个报文段。它带有哪些标志？</translation>
    </message>
    <message>
        <source>Question %1: %2 (in %3) calls %4 and sends a segment. Which flags does it carry?</source>
        <translation>第 %1 题：%2（处于 %3）调用 %4 并发送一个报文段。它带有哪些标志？</translation>
    </message>
    <message>
        <source>Answer with 1–4 or A–D (or a click).</source>
        <translation>用 1–4 或 A–D 作答（或点击）。</translation>
    </message>
    <message>
        <source>✓ Right: %1</source>
        <translation>✓ 答对了：%1</translation>
    </message>
    <message>
        <source>Why: the transition-table row %1 → %2 is “%3”.</source>
        <translation>原因：状态转换表中 %1 → %2 这一行是“%3”。</translation>
    </message>
    <message>
        <source>Why: %1 → %2, a change the transition table has no row for.</source>
        <translation>原因：%1 → %2，状态转换表中没有对应的行。</translation>
    </message>
    <message>
        <source>Cause in the trace (%1 s): %2</source>
        <translation>轨迹中的原因（%1 秒）：%2</translation>
    </message>
    <message>
        <source>The step sent %1.</source>
        <translation>这一步发送了 %1。</translation>
    </message>
    <message>
        <source>Why: %1 sends %2 and stays in %3: no row of the transition table is taken.</source>
        <translation>原因：%1 发送 %2 并停留在 %3：没有经过状态转换表中的任何一行。</translation>
    </message>
    <message>
        <source>It is a retransmission: nothing acknowledged the first one in time.</source>
        <translation>这是一次重传：第一次发送没有及时得到确认。</translation>
    </message>
    <message>
        <source>From the lesson: %1</source>
        <translation>课程内容：%1</translation>
    </message>
    <message>
        <source>No question: nothing changes state after this point.</source>
        <translation>没有题目：此后没有任何状态变化。</translation>
    </message>
    <message>
        <source>Quiz over: %1 / %2 right (%3 %).</source>
        <translation>测验结束：答对 %1 / %2（%3%）。</translation>
    </message>
    <message>
        <source>Every answer was right.</source>
        <translation>全部答对。</translation>
    </message>
    <message>
        <source>Missed question %1: %2</source>
        <translation>答错第 %1 题：%2</translation>
    </message>
    <message>
        <source>R: restart · Esc: leave the quiz</source>
        <translation>R：重新开始 · Esc：退出测验</translation>
    </message>
    <message>
        <source>✗ It is %1, not %2</source>
        <translation>✗ 应为 %1，而不是 %2</translation>
    </message>
    <message>
        <source>Enter / Space: next</source>
        <translation>回车 / 空格：下一题</translation>
    </message>
    <message>
        <source>%1 received %2</source>
        <translation>%1 收到 %2</translation>
    </message>
    <message>
        <source>In the trace (%1 s): %2</source>
        <translation>轨迹中（%1 秒）：%2</translation>
    </message>
    <message>
        <source>%1 → %2 (you chose %3)</source>
        <translation>%1 → %2（你选了 %3）</translation>
    </message>
</context>
<context>
    <name>tcpsim::gui::SocketsPane</name>
    <message>
        <source>&amp;Host:</source>
        <translation>主机(&amp;H)：</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Recv-Q</source>
        <translation>接收队列 Recv-Q</translation>
    </message>
    <message>
        <source>Send-Q</source>
        <translation>发送队列 Send-Q</translation>
    </message>
    <message>
        <source>Local Address:Port</source>
        <translation>本地地址:端口</translation>
    </message>
    <message>
        <source>Peer Address:Port</source>
        <translation>对端地址:端口</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>进程</translation>
    </message>
    <message>
        <source>Timer</source>
        <translation>定时器</translation>
    </message>
    <message>
        <source>Sockets</source>
        <translation>套接字</translation>
    </message>
    <message>
        <source>No scenario open.</source>
        <translation>未打开场景。</translation>
    </message>
    <message>
        <source>Too long a run to recompute at every step (over %1 events before %2 s): use tcpsim ss FILE --at %2s --host %3.</source>
        <translation>运行太长，无法在每一步重新计算（%2 秒前超过 %1 个事件）：请使用 tcpsim ss FILE --at %2s --host %3。</translation>
    </message>
    <message>
        <source>At %1 s no socket is listed on %2.</source>
        <translation>在 %1 秒时，%2 上没有列出任何套接字。</translation>
    </message>
    <message>
        <source>At %1 s on %2, as ss -tanoip would show it. Sockets: %3</source>
        <translation>%1 秒时 %2 上的情况，与 ss -tanoip 的显示一致。套接字数：%3</translation>
    </message>
</context>
<context>
    <name>tcpsim::render</name>
    <message>
        <source>time (s)</source>
        <translation>时间（秒）</translation>
    </message>
    <message>
        <source>State of each endpoint over time</source>
        <translation>各端点的状态随时间变化</translation>
    </message>
    <message>
        <source>Sockets per state on each host</source>
        <translation>各主机上每种状态的套接字数</translation>
    </message>
    <message>
        <source>sockets</source>
        <translation>套接字</translation>
    </message>
    <message>
        <source>Relative sequence and acknowledgement numbers</source>
        <translation>相对序列号与确认号</translation>
    </message>
    <message>
        <source>bytes (relative)</source>
        <translation>字节（相对）</translation>
    </message>
    <message>
        <source>now</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>dropped</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <source>retransmission</source>
        <translation>重传</translation>
    </message>
    <message>
        <source>▶ current state</source>
        <translation>▶ 当前状态</translation>
    </message>
    <message>
        <source>visited (numbered in order)</source>
        <translation>已经过（按顺序编号）</translation>
    </message>
    <message>
        <source>latest transition</source>
        <translation>最近的转换</translation>
    </message>
    <message>
        <source>Packet timeline: %1</source>
        <translation>报文时序图：%1</translation>
    </message>
    <message>
        <source>TCP state diagram: %1</source>
        <translation>TCP 状态图：%1</translation>
    </message>
    <message>
        <source>the path each endpoint took, numbered in order</source>
        <translation>各端点经过的路径，按顺序编号</translation>
    </message>
    <message>
        <source>no socket counts to draw (empty series)</source>
        <translation>没有可绘制的套接字数量（序列为空）</translation>
    </message>
    <message>
        <source>Sockets per state, all hosts</source>
        <translation>各状态套接字数（所有主机）</translation>
    </message>
    <message>
        <source>time (s), counts every %1 (spikes: each interval's peak)</source>
        <translation>时间（秒），每 %1 计数一次（尖峰：每个区间的峰值）</translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation>第 %1 步（共 %2 步）</translation>
    </message>
    <message>
        <source>%1 timer fired</source>
        <translation>%1 定时器到期</translation>
    </message>
    <message>
        <source>%1 timer %2</source>
        <translation>%1 定时器 %2</translation>
    </message>
    <message>
        <source>signal %1</source>
        <translation>信号 %1</translation>
    </message>
    <message>
        <source>%1 exited (%2)</source>
        <translation>%1 已退出（%2）</translation>
    </message>
    <message>
        <source>%1 killed</source>
        <translation>%1 被杀死</translation>
    </message>
    <message>
        <source>%1 crashed</source>
        <translation>%1 崩溃</translation>
    </message>
    <message>
        <source>%1 rebooted</source>
        <translation>%1 已重启</translation>
    </message>
    <message>
        <source>RST</source>
        <translation>RST</translation>
    </message>
    <message>
        <source>dropped: %1</source>
        <translation>丢弃：%1</translation>
    </message>
    <message>
        <source>≈ %1 later</source>
        <translation>≈ %1 之后</translation>
    </message>
    <message>
        <source>segment from %1</source>
        <translation>来自 %1 的报文段</translation>
    </message>
    <message>
        <source>RST (reset): thick, bar at the end</source>
        <translation>RST（复位）：粗线，末端有横杠</translation>
    </message>
    <message>
        <source>retransmission (dashed)</source>
        <translation>重传（虚线）</translation>
    </message>
    <message>
        <source>dropped (cross)</source>
        <translation>丢弃（叉号）</translation>
    </message>
    <message>
        <source>idle time left out</source>
        <translation>省略的空闲时间</translation>
    </message>
    <message>
        <source>ABORT</source>
        <translation>中止</translation>
    </message>
    <message>
        <source>discard</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <source>give up</source>
        <translation>放弃</translation>
    </message>
    <message>
        <source>host crashed</source>
        <translation>主机崩溃</translation>
    </message>
    <message>
        <source>rcv RST</source>
        <translation>收 RST</translation>
    </message>
    <message>
        <source>close() with unread data</source>
        <translation>close() 时仍有未读数据</translation>
    </message>
    <message>
        <source>close() with SO_LINGER {on, 0}</source>
        <translation>close() 且 SO_LINGER {on, 0}</translation>
    </message>
    <message>
        <source>rcv data after close()</source>
        <translation>close() 之后收到数据</translation>
    </message>
    <message>
        <source>listener closed before accept()</source>
        <translation>accept() 之前监听套接字已关闭</translation>
    </message>
    <message>
        <source>listener closed</source>
        <translation>监听套接字已关闭</translation>
    </message>
    <message>
        <source>new SYN for the same 4-tuple (RFC 1122 §4.2.2.13)</source>
        <translation>同一四元组的新 SYN（RFC 1122 §4.2.2.13）</translation>
    </message>
    <message>
        <source>rcv FIN</source>
        <translation>收 FIN</translation>
    </message>
    <message>
        <source>TIME_WAIT socket reused for a new connection (tcp_tw_reuse=1)</source>
        <translation>TIME_WAIT 套接字被新连接复用（tcp_tw_reuse=1）</translation>
    </message>
    <message>
        <source>SYN retries exhausted (tcp_syn_retries)</source>
        <translation>SYN 重传次数用尽（tcp_syn_retries）</translation>
    </message>
    <message>
        <source>SYN,ACK retries exhausted (tcp_synack_retries)</source>
        <translation>SYN,ACK 重传次数用尽（tcp_synack_retries）</translation>
    </message>
    <message>
        <source>zero-window probes unanswered (tcp_retries2)</source>
        <translation>零窗口探测无应答（tcp_retries2）</translation>
    </message>
    <message>
        <source>zero-window probes unanswered (tcp_orphan_retries)</source>
        <translation>零窗口探测无应答（tcp_orphan_retries）</translation>
    </message>
    <message>
        <source>retransmissions exhausted (tcp_retries2)</source>
        <translation>重传次数用尽（tcp_retries2）</translation>
    </message>
    <message>
        <source>retransmissions exhausted (tcp_orphan_retries)</source>
        <translation>重传次数用尽（tcp_orphan_retries）</translation>
    </message>
    <message>
        <source>keepalive: peer not answering (tcp_keepalive_probes)</source>
        <translation>保活：对端无应答（tcp_keepalive_probes）</translation>
    </message>
    <message>
        <source>state lost</source>
        <translation>状态丢失</translation>
    </message>
    <message>
        <source>snd RST</source>
        <translation>发 RST</translation>
    </message>
    <message>
        <source>snd ACK</source>
        <translation>发 ACK</translation>
    </message>
    <message>
        <source>snd FIN</source>
        <translation>发 FIN</translation>
    </message>
    <message>
        <source>snd SYN</source>
        <translation>发 SYN</translation>
    </message>
    <message>
        <source>snd SYN,ACK</source>
        <translation>发 SYN,ACK</translation>
    </message>
    <message>
        <source>retransmit SYN</source>
        <translation>重传 SYN</translation>
    </message>
    <message>
        <source>retransmit SYN,ACK</source>
        <translation>重传 SYN,ACK</translation>
    </message>
    <message>
        <source>retransmit FIN</source>
        <translation>重传 FIN</translation>
    </message>
    <message>
        <source>retransmit data</source>
        <translation>重传数据</translation>
    </message>
    <message>
        <source>rcv FIN / snd ACK, restart 2MSL</source>
        <translation>收 FIN / 发 ACK，重启 2MSL</translation>
    </message>
    <message>
        <source>rcv RST / snd challenge ACK</source>
        <translation>收 RST / 发挑战 ACK</translation>
    </message>
    <message>
        <source>rcv RST, challenge ACK rate-limited</source>
        <translation>收 RST，挑战 ACK 被限速</translation>
    </message>
    <message>
        <source>rcv SYN / snd challenge ACK</source>
        <translation>收 SYN / 发挑战 ACK</translation>
    </message>
    <message>
        <source>rcv SYN, challenge ACK rate-limited</source>
        <translation>收 SYN，挑战 ACK 被限速</translation>
    </message>
    <message>
        <source>rcv RST outside the window</source>
        <translation>收窗口外的 RST</translation>
    </message>
    <message>
        <source>rcv out-of-window segment / snd ACK</source>
        <translation>收窗口外报文段 / 发 ACK</translation>
    </message>
    <message>
        <source>rcv out-of-window segment, ACK rate-limited</source>
        <translation>收窗口外报文段，ACK 被限速</translation>
    </message>
    <message>
        <source>not created yet</source>
        <translation>尚未创建</translation>
    </message>
    <message>
        <source>(orphan: no fd)</source>
        <translation>（孤儿：无 fd）</translation>
    </message>
    <message>
        <source>injected, spoofed as %1</source>
        <translation>注入的报文段，伪装成 %1</translation>
    </message>
    <message>
        <source>injected, from %1</source>
        <translation>注入的报文段，来自 %1</translation>
    </message>
    <message>
        <source>⚡ injected segment (dotted)</source>
        <translation>⚡ 注入的报文段（点线）</translation>
    </message>
    <message>
        <source>Congestion window, ssthresh, SRTT and RTO</source>
        <translation>拥塞窗口、ssthresh、SRTT 和 RTO</translation>
    </message>
    <message>
        <source>bytes</source>
        <translation>字节</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>毫秒</translation>
    </message>
    <message>
        <source>cwnd</source>
        <translation>cwnd</translation>
    </message>
    <message>
        <source>ssthresh</source>
        <translation>ssthresh</translation>
    </message>
    <message>
        <source>SRTT (ms)</source>
        <translation>SRTT（毫秒）</translation>
    </message>
    <message>
        <source>RTO (ms)</source>
        <translation>RTO（毫秒）</translation>
    </message>
    <message>
        <source>%1 (clients)</source>
        <translation>%1（客户端）</translation>
    </message>
    <message>
        <source>%1 (:%2)</source>
        <translation>%1（:%2）</translation>
    </message>
    <message>
        <source>rcv RST (TIME-WAIT assassination)</source>
        <translation>收 RST（TIME-WAIT 暗杀）</translation>
    </message>
    <message>
        <source>rcv ACK of SYN</source>
        <translation>收到对 SYN 的 ACK</translation>
    </message>
    <message>
        <source>rcv ACK of FIN</source>
        <translation>收到对 FIN 的 ACK</translation>
    </message>
    <message>
        <source>tcp_rfc1337=0</source>
        <translation>tcp_rfc1337=0</translation>
    </message>
    <message>
        <source>accept queue full, tcp_abort_on_overflow=1</source>
        <translation>accept 队列已满，tcp_abort_on_overflow=1</translation>
    </message>
    <message>
        <source>tcp_max_tw_buckets reached</source>
        <translation>已达 tcp_max_tw_buckets</translation>
    </message>
</context>
<context>
    <name>tcpsim::render::CompareView</name>
    <message>
        <source>◀ %1</source>
        <translation>◀ %1</translation>
    </message>
    <message>
        <source>%1 ▶</source>
        <translation>%1 ▶</translation>
    </message>
    <message>
        <source>No difference: the two runs are the same, event for event.</source>
        <translation>没有差异：两次运行逐个事件完全相同。</translation>
    </message>
    <message>
        <source>◆ first difference: event %1 at %2 — %3</source>
        <translation>◆ 第一处差异：事件 %1，时间 %2 —— %3</translation>
    </message>
    <message>
        <source>◆ first difference: event %1 — this run has ended (it has %2 events)</source>
        <translation>◆ 第一处差异：事件 %1 —— 此运行已结束（共 %2 个事件）</translation>
    </message>
    <message>
        <source>What</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Hidden until the cursor passes the first difference (hide what comes next is on).</source>
        <translation>光标越过第一处差异之前不显示（已开启“隐藏接下来的内容”）。</translation>
    </message>
    <message>
        <source>What differs over the whole runs, left | right:</source>
        <translation>两次运行全程的差异（左 | 右）：</translation>
    </message>
    <message>
        <source>Differences (%1)</source>
        <translation>差异（%1）</translation>
    </message>
    <message>
        <source>Differences</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>%1 — click a side to work on it: its diagrams are shown, the Lab's keys act on it</source>
        <translation>%1 —— 点击一侧即可对其操作：显示它的状态图，实验菜单的快捷键作用于它</translation>
    </message>
    <message>
        <source>◆ first difference: not reached yet (hide what comes next is on)</source>
        <translation>◆ 第一处差异：尚未到达（已开启“隐藏接下来的内容”）</translation>
    </message>
    <message>
        <source>A big run (%1 | %2 events): the timelines show %3 to %4 around the cursor, and follow it.</source>
        <translation>大型运行（%1 | %2 个事件）：时序图只显示光标附近 %3 至 %4 的部分，并随光标移动。</translation>
    </message>
    <message>
        <source>the end</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>State diagrams of:</source>
        <translation>状态图：</translation>
    </message>
    <message>
        <source>Both runs</source>
        <translation>两次运行</translation>
    </message>
    <message>
        <source>State diagrams</source>
        <translation>状态图</translation>
    </message>
</context>
<context>
    <name>tcpsim::render::StateDiagramWidget</name>
    <message>
        <source>Zoomed on the current state when the pane is narrow; double-click for the whole diagram</source>
        <translation>窗格较窄时放大显示当前状态；双击查看整张状态图</translation>
    </message>
    <message>
        <source>Double-click to zoom on the current state</source>
        <translation>双击放大显示当前状态</translation>
    </message>
</context>
<context>
    <name>tcpsim::render::describe</name>
    <message>
        <source>send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>deliver</source>
        <translation>送达</translation>
    </message>
    <message>
        <source>DROP</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <source>armed</source>
        <translation>已启动</translation>
    </message>
    <message>
        <source>fired</source>
        <translation>已触发</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>started</source>
        <translation>已启动</translation>
    </message>
    <message>
        <source>exited</source>
        <translation>已退出</translation>
    </message>
    <message>
        <source>killed</source>
        <translation>被杀死</translation>
    </message>
    <message>
        <source>crashed</source>
        <translation>崩溃</translation>
    </message>
    <message>
        <source>rebooted</source>
        <translation>已重启</translation>
    </message>
    <message>
        <source>delayed ACK</source>
        <translation>延迟 ACK</translation>
    </message>
    <message>
        <source>keepalive</source>
        <translation>保活</translation>
    </message>
    <message>
        <source>linger</source>
        <translation>linger 逗留</translation>
    </message>
    <message>
        <source>%1 %2 &gt; %3 [%4] win %5</source>
        <translation>%1 %2 &gt; %3 [%4] 窗口 %5</translation>
    </message>
    <message>
        <source>(retransmission)</source>
        <translation>（重传）</translation>
    </message>
    <message>
        <source>%1 %2 timer %3</source>
        <translation>%1 的%2定时器%3</translation>
    </message>
    <message>
        <source>, fires at %1</source>
        <translation>，在 %1 到期</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1: signal %2</source>
        <translation>%1：信号 %2</translation>
    </message>
    <message>
        <source> status %1</source>
        <translation>，退出码 %1</translation>
    </message>
    <message>
        <source>fault: %1</source>
        <translation>故障：%1</translation>
    </message>
    <message>
        <source>ignored</source>
        <translation>忽略</translation>
    </message>
</context>
</TS>