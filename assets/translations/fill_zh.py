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
}

def main(path):
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
