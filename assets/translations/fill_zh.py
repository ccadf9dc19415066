#!/usr/bin/env python3
"""Fills the Simplified Chinese translations into tcpsim_zh_CN.ts after
`lupdate` has refreshed its sources (see docs/gui.md). Strings missing here
stay unfinished and show in English."""
import sys
import xml.etree.ElementTree as ET

ZH = {
    "#": "#", "Time (s)": "时间（秒）", "Host": "主机", "Kind": "类型", "Event": "事件",
    "Field": "字段", "Value": "值", "State": "状态", "not created yet": "尚未创建",
    "Local": "本端", "Remote": "对端", "Send buffer": "发送缓冲区", "%n byte(s)": "%n 字节",
    "Receive buffer (unread)": "接收缓冲区（未读）", "RTO": "RTO", "Retransmissions": "重传次数",
    "Timer %1": "定时器 %1", "%1 left": "剩余 %1", "Timers": "定时器", "none armed": "无",
    "Held by": "持有者", "no process (orphan)": "无进程（孤儿套接字）", "—": "—",
    "Selected segment": "选中的报文段", "Source": "源", "Destination": "目的", "Flags": "标志",
    "Sequence number": "序列号", "Acknowledgement number": "确认号", "— (no ACK flag)": "—（无 ACK 标志）",
    "Window": "窗口", "Payload length": "载荷长度", "Sent at": "发送时间", "Delivered at": "到达时间",
    "Dropped at": "丢弃时间", "Retransmission": "重传", "yes": "是",
    "About tcpsim": "关于 tcpsim",
    "tcpsim %1 — a TCP state-machine simulator for teaching and for understanding production incidents.":
        "tcpsim %1 —— 用于教学和理解线上故障的 TCP 状态机模拟器。",
    "tcpsim — %1": "tcpsim — %1", "tcpsim": "tcpsim",
    "&File": "文件(&F)", "&Export": "导出(&E)", "&View": "视图(&V)", "&Playback": "播放(&P)",
    "&Language": "语言(&L)", "&Help": "帮助(&H)", "&Open scenario…": "打开场景(&O)…",
    "Packet timeline (SVG, PDF, PNG)…": "报文时序图（SVG、PDF、PNG）…",
    "State diagrams (SVG, PDF, PNG)…": "状态图（SVG、PDF、PNG）…",
    "Chart (SVG, PDF, PNG)…": "图表（SVG、PDF、PNG）…",
    "Animation frames (PNG sequence)…": "动画帧（PNG 序列）…",
    "&Quit": "退出(&Q)", "&Presentation mode": "演示模式(&P)", "&Full screen": "全屏(&F)",
    "Zoom timeline in": "放大时序图", "Zoom timeline out": "缩小时序图", "&About tcpsim": "关于 tcpsim(&A)",
    "System language": "系统语言",
    "|◀ Start": "|◀ 开始", "◀◀ State": "◀◀ 状态", "◀ Step": "◀ 单步", "Step ▶": "单步 ▶",
    "State ▶▶": "状态 ▶▶", "End ▶|": "结束 ▶|", "❚❚ Pause": "❚❚ 暂停", "▶ Play": "▶ 播放",
    "Go to the start (Home)": "回到开始（Home）", "Previous state change (Shift+Left)": "上一次状态变化（Shift+←）",
    "One event back (Left)": "后退一个事件（←）", "Play / pause (Space)": "播放 / 暂停（空格）",
    "One event forward (Right)": "前进一个事件（→）", "Next state change (Shift+Right)": "下一次状态变化（Shift+→）",
    "Go to the end (End)": "跳到结尾（End）",
    "Scenarios and lesson": "场景与讲解", "Event log and inspector": "事件日志与检查器",
    "Filter by name, title or tag…": "按名称、标题或标签筛选…", "Scenario": "场景", "Tags": "标签", "Scenario (tags)": "场景（标签）",
    "Packet timeline": "报文时序图", "Charts": "图表", "Endpoint states": "端点状态",
    "Sockets per state": "各状态套接字数", "Seq / ack": "序列号 / 确认号", "Connection:": "连接：",
    "Playback speed": "播放速度", "Time scrubber: drag to move through the events": "时间滑块：拖动以浏览事件",
    "Could not load %1 (the previous scenario stays loaded):\n%2": "无法加载 %1（仍保留之前的场景）：\n%2",
    "Could not run %1 (the previous scenario stays loaded):\n%2": "无法运行 %1（仍保留之前的场景）：\n%2",
    "Pick a scenario from the list, open a file (File → Open) or drop one here.":
        "从列表中选择一个场景，打开文件（文件 → 打开），或把文件拖到这里。",
    "References": "参考资料", "t = %1 s   event %2 / %3": "t = %1 秒   事件 %2 / %3",
    "At the start: nothing has happened yet.": "开始：尚未发生任何事件。",
    "Open scenario": "打开场景", "Scenarios (*.yaml *.yml)": "场景 (*.yaml *.yml)",
    "Open a scenario first.": "请先打开一个场景。", "Folder for the frames": "动画帧的保存目录",
    "Export": "导出", "SVG (*.svg);;PDF (*.pdf);;PNG (*.png)": "SVG (*.svg);;PDF (*.pdf);;PNG (*.png)",
    "Chart": "图表", "Which chart?": "哪一个图表？", "Exported.": "已导出。", "Export failed: %1": "导出失败：%1",
    "time (s)": "时间（秒）", "State of each endpoint over time": "各端点的状态随时间变化",
    "Sockets per state on each host": "各主机上每种状态的套接字数", "sockets": "套接字",
    "Relative sequence and acknowledgement numbers": "相对序列号与确认号", "bytes (relative)": "字节（相对）",
    "now": "当前", "timer fired": "定时器到期", "timer": "定时器", "exited": "已退出", "killed": "被杀死",
    "crashed": "崩溃", "rebooted": "已重启", "later": "之后", "dropped": "丢弃", "retransmission": "重传",
    "segment (flags seq ack len, relative)": "报文段（标志 序列号 确认号 长度，相对值）",
    "reset (R)": "复位（R）",
    "≈ marks compressed idle time; boxes on lifelines are TCP states": "≈ 表示压缩的空闲时间；生命线上的方框是 TCP 状态",
    "▶ current state": "▶ 当前状态", "visited (numbered in order)": "已经过（按顺序编号）",
    "latest transition": "最近的转换", "Packet timeline: %1": "报文时序图：%1", "TCP state diagram: %1": "TCP 状态图：%1",
    "the path each endpoint took, numbered in order": "各端点经过的路径，按顺序编号",
    "(orphan: no fd)": "（孤儿：无文件描述符）",
    # File → Export… (gui/app/export_dialog.cpp, main_window.cpp)
    'The time window cannot start before 0 s.': '时间窗口不能早于 0 秒开始。',
    'The time window is empty: from %1 is after to %2.': '时间窗口为空：起点 %1 晚于终点 %2。',
    "Unknown chart '%1'.": '未知的图表“%1”。',
    "No endpoint '%1' in this scenario: %2": '此场景中没有端点“%1”：%2',
    'The PNG size must be between 1 and 20000 pixels (0 = natural size).': 'PNG 尺寸必须在 1 到 20000 像素之间（0 = 原始尺寸）。',
    'The resolution must be between 24 and 1200 dpi.': '分辨率必须在 24 到 1200 dpi 之间。',
    "Unknown page size '%1' (expected A4 or Letter).": '未知的纸张大小“%1”（应为 A4 或 Letter）。',
    'Choose a folder for the frames.': '请选择保存帧的文件夹。',
    'Choose a file to write.': '请选择要写入的文件。',
    '%1 is a file, not a folder.': '%1 是文件，不是文件夹。',
    'Cannot write to %1: the folder %2 does not exist.': '无法写入 %1：文件夹 %2 不存在。',
    'Cannot write to %1: the folder is not writable.': '无法写入 %1：文件夹不可写。',
    "Unknown format '%1' of %2 (expected .svg, .pdf or .png).": '%2 的格式“%1”未知（应为 .svg、.pdf 或 .png）。',
    '(none)': '（无）',
    '%1 is a folder; choose a file name.': '%1 是文件夹；请选择文件名。',
    'Cannot write to %1: %2': '无法写入 %1：%2',
    'No.': '序号',
    'Source → Destination': '源 → 目的',
    'Seq': '序列号',
    'Ack': '确认号',
    'Len': '长度',
    '%1 packets; the first %2 are listed.': '共 %1 个报文；列出前 %2 个。',
    '%n packet(s).': '%n 个报文。',
    '%1 lines; the first %2 are shown.': '共 %1 行；显示前 %2 行。',
    '%n line(s), %1 bytes.': '%n 行，%1 字节。',
    'The preview could not be drawn.': '无法绘制预览。',
    'Drawing %1 × %2 px.': '图像 %1 × %2 像素。',
    'The preview shows its top part.': '预览只显示上半部分。',
    'Packet timeline (ladder diagram)': '报文时序图（梯形图）',
    'State diagrams': '状态图',
    'Animation frames (PNG folder)': '动画帧（PNG 文件夹）',
    'Capture for Wireshark (pcap)': 'Wireshark 抓包文件（pcap）',
    'Mermaid sequence diagram': 'Mermaid 时序图',
    'PlantUML sequence diagram': 'PlantUML 时序图',
    'Graphviz DOT state machine': 'Graphviz DOT 状态机',
    'JSONL trace': 'JSONL 轨迹',
    'CSV of socket counts per state': '各状态套接字数量 CSV',
    'Export:': '导出：',
    'Both endpoints': '两个端点',
    'Client': '客户端',
    'Server': '服务器',
    'Endpoints:': '端点：',
    'Chart:': '图表：',
    'Format:': '格式：',
    'start': '开始',
    'end': '结束',
    'Virtual time, e.g. 1.5s, 200ms, 40us or a number of seconds': '虚拟时间，例如 1.5s、200ms、40us 或秒数',
    'Whole scenario': '整个场景',
    'Up to the cursor': '到当前光标',
    'from': '从',
    'to': '到',
    'Time window:': '时间窗口：',
    'auto': '自动',
    'PNG size:': 'PNG 尺寸：',
    'Resolution:': '分辨率：',
    'One page, the size of the drawing': '单页，与图同大',
    'A4 pages': 'A4 分页',
    'Letter pages': 'Letter 分页',
    'PDF pages:': 'PDF 页面：',
    'Labels:': '标签语言：',
    'Include dropped segments': '包含被丢弃的报文段',
    'Capture at the sender: a segment the network dropped was still sent. Without them the capture is taken after the loss point.': '在发送端抓包：被网络丢弃的报文段仍然发送过。不包含时，相当于在丢包点之后抓包。',
    'Capture:': '抓包：',
    'Browse…': '浏览…',
    'Save to:': '保存到：',
    'Close': '关闭',
    'Preview': '预览',
    "Cannot read the %1 time '%2' (write e.g. 1.5s, 200ms or 40us).": '无法读取%1时间“%2”（例如写 1.5s、200ms 或 40us）。',
    'Choose the folder for frame-0001.png, frame-0002.png, …': '选择保存 frame-0001.png、frame-0002.png… 的文件夹',
    'Choose the file': '选择文件',
    '%1 (*.%2)': '%1 (*.%2)',
    'All files (*)': '所有文件 (*)',
    'Export to': '导出到',
    '%n frame(s) of the main view as it is now (%1 × %2 px), one per event.': '主视图按当前样子（%1 × %2 像素）共 %n 帧，每个事件一帧。',
    '%1 already has frames. Replace them?': '%1 中已有帧。要替换吗？',
    '%1 exists. Replace it?': '%1 已存在。要替换吗？',
    'Replace?': '替换？',
    'Exported %1.': '已导出 %1。',
    '&Export as': '导出为(&E)',
    '&Export…': '导出(&E)…',
    'Capture for Wireshark (pcap)…': 'Wireshark 抓包文件（pcap）…',
    'Mermaid sequence diagram…': 'Mermaid 时序图…',
    'PlantUML sequence diagram…': 'PlantUML 时序图…',
    'Graphviz DOT state machine…': 'Graphviz DOT 状态机…',
    'JSONL trace…': 'JSONL 轨迹…',
    'CSV of socket counts…': '套接字数量 CSV…',
    'The time window is empty.': '时间窗口为空。',
    'Cannot create the folder %1.': '无法创建文件夹 %1。',
    '%1 already has frames.': '%1 中已有帧。',
    'Saving the frames…': '正在保存帧…',
    'Cancel': '取消',
    'Cannot write %1.': '无法写入 %1。',
    'Cancelled; no frames were written.': '已取消；没有写入任何帧。',
    'Cannot move %1 into %2.': '无法把 %1 移到 %2。',
    'no socket counts to draw (empty series)': '没有可绘制的套接字数量（序列为空）',
    'Sockets per state, all hosts': '各状态套接字数（所有主机）',
    "time (s), counts every %1 (spikes: each interval's peak)": '时间（秒），每 %1 计数一次（尖峰：每个区间的峰值）',
    # big workloads (gui/app/main_window.cpp)
    'Running %1 counts-only (%2 connections)…': '正在以仅计数方式运行 %1（%2 个连接）…',
    'Big workload: this scenario opens about %1 connections, more than %2. Only the socket counts per state were kept (no trace), so the Sockets per state chart shows the run; the packet timeline, the state diagrams, the event log and the other charts need a scenario under %2 connections.': '大规模负载：此场景约打开 %1 个连接，超过 %2 个。只保留了各状态的套接字数量（没有轨迹），所以由“各状态套接字数”图表展示这次运行；报文时序图、状态图、事件日志和其他图表需要少于 %2 个连接的场景。',
    'Exports need the trace, which a big workload does not keep. Use tcpsim export --chart states or --csv on the command line; they run counts-only too.': '导出需要轨迹，而大规模负载不保留轨迹。请在命令行使用 tcpsim export --chart states 或 --csv；它们同样以仅计数方式运行。',
    'A big workload keeps no trace to export.': '大规模负载不保留可导出的轨迹。',
}

def load_fragments():
    """More translations, one file per area: assets/translations/zh/*.tsv,
    each line `English<TAB>Chinese` (\\n and \\t escaped; # starts a comment)."""
    import glob, os
    here = os.path.dirname(os.path.abspath(__file__))
    for f in sorted(glob.glob(os.path.join(here, "zh", "*.tsv"))):
        with open(f, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                if line.count("\t") != 1:
                    sys.exit(f"{f}:{n}: expected one tab between English and Chinese")
                en, zh = (x.replace("\\n", "\n").replace("\\t", "\t") for x in line.split("\t"))
                ZH[en] = zh

def main(path):
    load_fragments()
    tree = ET.parse(path)
    missing = []
    for msg in tree.iter("message"):
        src = msg.find("source").text or ""
        tr = msg.find("translation")
        if src in ZH:
            if msg.get("numerus") == "yes":
                for c in list(tr):
                    tr.remove(c)
                nf = ET.SubElement(tr, "numerusform")
                nf.text = ZH[src]
                tr.text = None
            else:
                tr.text = ZH[src]
            tr.attrib.pop("type", None)
        else:
            missing.append(src)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    for m in missing:
        print("untranslated:", m)

if __name__ == "__main__":
    main(sys.argv[1])
