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
</context>
<context>
    <name>tcpsim::gui::MainWindow</name>
    <message>
        <source>About tcpsim</source>
        <translation>关于 tcpsim</translation>
    </message>
    <message>
        <source>tcpsim %1 — a TCP state-machine simulator for teaching and for understanding production incidents.</source>
        <translation>tcpsim %1 —— 用于教学和理解线上故障的 TCP 状态机模拟器。</translation>
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
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
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
        <source>&amp;Presentation mode</source>
        <translation>演示模式(&amp;P)</translation>
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
        <source>Folder for the frames</source>
        <translation>动画帧的保存目录</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>SVG (*.svg);;PDF (*.pdf);;PNG (*.png)</source>
        <translation>SVG (*.svg);;PDF (*.pdf);;PNG (*.png)</translation>
    </message>
    <message>
        <source>Chart</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>Which chart?</source>
        <translation>哪一个图表？</translation>
    </message>
    <message>
        <source>Exported.</source>
        <translation>已导出。</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>Scenario (tags)</source>
        <translation>场景（标签）</translation>
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
        <source>timer fired</source>
        <translation>定时器到期</translation>
    </message>
    <message>
        <source>timer</source>
        <translation>定时器</translation>
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
        <source>later</source>
        <translation>之后</translation>
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
        <source>segment (flags seq ack len, relative)</source>
        <translation>报文段（标志 序列号 确认号 长度，相对值）</translation>
    </message>
    <message>
        <source>reset (R)</source>
        <translation>复位（R）</translation>
    </message>
    <message>
        <source>≈ marks compressed idle time; boxes on lifelines are TCP states</source>
        <translation>≈ 表示压缩的空闲时间；生命线上的方框是 TCP 状态</translation>
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
        <source>not created yet</source>
        <translation>尚未创建</translation>
    </message>
    <message>
        <source>(orphan: no fd)</source>
        <translation>（孤儿：无文件描述符）</translation>
    </message>
</context>
</TS>