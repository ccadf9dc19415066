// tcpsim — Chinese for the fixed phrases of the text exports (Mermaid,
// PlantUML, DOT) and of the slide captions: core has no Qt, so no .ts file;
// this table is its translation. Technical tokens stay as they are: flags
// (S, F., P.), SYN/ACK/FIN/RST, the RFC state names, errno names, sysctl
// names (tcp_fin_timeout), call names (close(), recv(fd=3)), host and
// process names, numbers and units. Everything else a reader sees is here.
//
// localize_label() replaces every phrase of the table found in a string at
// word boundaries, longest phrase first, so a cause the core composes
// ("rcv FIN / snd ACK") is translated part by part. tests/export's
// zh_labels_test fails on any English word left in a zh_CN export: a new
// phrase in core needs a line here.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "tcpsim/export.hpp"

namespace tcpsim {

namespace {

struct Phrase {
  const char* en;
  const char* zh;
};

// Keep sorted by meaning; the lookup sorts by length itself.
constexpr Phrase kZh[] = {
    // ---- RFC 793 Figure 6 labels (DOT edges) ----
    {"passive OPEN", "被动打开"},
    {"active OPEN", "主动打开"},
    {"create TCB", "创建 TCB"},
    {"delete TCB", "删除 TCB"},
    {"CLOSE", "关闭"},
    {"SEND", "发送数据"},
    {"timeout = 2MSL", "超时 = 2MSL"},
    {"rcv FIN + ACK of FIN", "收到 FIN 及对 FIN 的 ACK"},
    // the self-loops of the rows that change no state (fsm_loop_of_note)
    {"rcv RST / snd challenge ACK", "收到 RST / 发送挑战 ACK"},
    {"rcv RST, challenge ACK rate-limited", "收到 RST，挑战 ACK 被限速"},
    {"rcv SYN / snd challenge ACK", "收到 SYN / 发送挑战 ACK"},
    {"rcv SYN, challenge ACK rate-limited", "收到 SYN，挑战 ACK 被限速"},
    {"rcv RST outside the window", "收到窗口外的 RST"},
    {"rcv out-of-window segment / snd ACK", "收到窗口外报文段 / 发送 ACK"},
    {"rcv out-of-window segment, ACK rate-limited", "收到窗口外报文段，ACK 被限速"},
    // ---- the FSM's events and actions (core/src/tcp/tcp_fsm.cpp) ----
    {"rcv SYN,ACK", "收到 SYN,ACK"},
    {"rcv ACK of SYN", "收到对 SYN 的 ACK"},
    {"rcv ACK of FIN", "收到对 FIN 的 ACK"},
    {"ACK of SYN", "对 SYN 的 ACK"},
    {"ACK of FIN", "对 FIN 的 ACK"},
    {"rcv SYN", "收到 SYN"},
    {"rcv FIN", "收到 FIN"},
    {"rcv RST", "收到 RST"},
    {"rcv ACK", "收到 ACK"},
    {"rcv", "收到"},
    {"rcv data after close()", "close() 之后收到数据"},
    {"snd SYN,ACK", "发送 SYN,ACK"},
    {"snd SYN", "发送 SYN"},
    {"snd FIN", "发送 FIN"},
    {"snd ACK", "发送 ACK"},
    {"snd RST", "发送 RST"},
    {"snd", "发送"},
    {"restart 2MSL", "重新开始 2MSL 计时"},
    {"(TIME-WAIT assassination)", "（TIME-WAIT 暗杀）"},
    {"TIME-WAIT assassination", "TIME-WAIT 暗杀"},
    // a bare call name is written as the call
    {"listen", "listen()"},
    {"connect", "connect()"},
    {"close", "close()"},
    {"accept", "accept()"},
    {"shutdown", "shutdown()"},
    {"shutdown() in SYN_SENT", "在 SYN_SENT 中调用 shutdown()"},
    {"2MSL timeout", "2MSL 超时"},
    // the events of the abort rows, each traced cause's prefix ("give up: ...")
    {"ABORT: ", "中止："},
    {"give up: ", "放弃："},
    {"discard: ", "丢弃："},
    {"host crashed: state lost", "主机崩溃：状态丢失"},
    {"ABORT", "中止"},
    {"give up", "放弃"},
    {"discard", "丢弃"},
    {"host crashed", "主机崩溃"},
    {"state lost", "状态丢失"},
    {"abort", "中止"},
    {"host crash", "主机崩溃"},
    {"TIME_WAIT timer", "TIME_WAIT 定时器"},
    // ---- aborts, give-ups and discards (tcp_timers.cpp, tcp_close_policy.cpp, host.cpp) ----
    {"SYN retries exhausted", "SYN 重传次数用尽"},
    {"SYN,ACK retries exhausted", "SYN,ACK 重传次数用尽"},
    {"retransmissions exhausted", "重传已达上限"},
    {"zero-window probes unanswered", "零窗口探测无应答"},
    {"keepalive: peer not answering", "保活探测无应答"},
    {"listener closed before accept()", "accept() 之前监听套接字已关闭"},
    {"listener closed", "监听套接字已关闭"},
    {"close() with SO_LINGER {on, 0}", "在 SO_LINGER {on, 0} 下调用 close()"},
    {"close() with unread data", "有未读数据时调用 close()"},
    {"new SYN for the same 4-tuple", "同一四元组的新 SYN"},
    {"TIME_WAIT socket reused for a new connection", "TIME_WAIT 套接字被新连接复用"},
    {"accept queue full", "全连接队列已满"},
    // the guards of the transition table (tcp_fsm.cpp), traced in brackets,
    // and the note when every guard of an event holds false
    {"accept queue has room", "全连接队列有空位"},
    {"TIME_WAIT bucket free", "TIME_WAIT 桶未满"},
    {"tcp_max_tw_buckets reached", "已达 tcp_max_tw_buckets 上限"},
    {"RST at RCV.NXT, or in the window after close()", "RST 序号等于 RCV.NXT，或 close() 之后落在窗口内"},
    {"RST in the window, not at RCV.NXT, before close()", "RST 在窗口内但序号不等于 RCV.NXT，且未 close()"},
    {"RST in the window, not at RCV.NXT", "RST 在窗口内但序号不等于 RCV.NXT"},
    {"RST at RCV.NXT", "RST 序号等于 RCV.NXT"},
    {"RST outside the window", "RST 在窗口外"},
    {"' in state", "”，状态"},
    {": guard", "：守卫条件"},
    {"is false: ignored", "不成立：忽略"},
    {"] and [", "] 且 ["},
    {"orphaned FIN_WAIT_2 destroyed at once: tcp_max_tw_buckets reached",
     "孤儿 FIN_WAIT_2 立即销毁：已达 tcp_max_tw_buckets 上限"},
    {"RTO give-up", "重传超时放弃"},
    {"keepalive give-up", "保活放弃"},
    {"SYN give-up", "SYN 重传放弃"},
    {"orphan FIN_WAIT_2 timeout", "孤儿 FIN_WAIT_2 超时"},
    {"timeout", "超时"},
    // ---- notes of segment arrival (tcp_segment_arrives.cpp, host.cpp) ----
    {"RST to a listening socket: ignored", "发往监听套接字的 RST：忽略"},
    {"segment without SYN to a listening socket: dropped", "发往监听套接字的非 SYN 报文段：丢弃"},
    {"SYN dropped: accept queue full", "SYN 被丢弃：全连接队列已满"},
    {"SYN dropped: request queue full", "SYN 被丢弃：半连接队列已满"},
    {"and no SYN cookies (tcp_syncookies=0)", "且不用 SYN cookie（tcp_syncookies=0）"},
    {"SYN,ACK with a SYN cookie, no request socket kept", "用 SYN cookie 回复 SYN,ACK，不保留请求套接字"},
    {"request queue full", "半连接队列已满"},
    {"data into a zero window: text dropped, its ACK processed", "数据进入零窗口：数据被丢弃，其 ACK 照常处理"},
    {"waiting, backlog", "个在等待，积压上限"},
    {"RST with unacceptable ACK in SYN_SENT: dropped", "SYN_SENT 中 ACK 不可接受的 RST：丢弃"},
    {"RST without ACK in SYN_SENT: dropped", "SYN_SENT 中不带 ACK 的 RST：丢弃"},
    {"segment without SYN or RST in SYN_SENT: dropped", "SYN_SENT 中既无 SYN 也无 RST 的报文段：丢弃"},
    {"out-of-window RST in TIME_WAIT: ignored", "TIME_WAIT 中窗口外的 RST：忽略"},
    {"retransmitted FIN in TIME_WAIT: ACK it again, restart 2MSL",
     "TIME_WAIT 中收到重传的 FIN：再次回 ACK，重新开始 2MSL 计时"},
    {"old segment in TIME_WAIT: ACK it (it cannot reach a new connection)",
     "TIME_WAIT 中收到旧报文段：回 ACK（它到不了新连接）"},
    {"ACK for data not yet sent: ACK and drop", "确认了尚未发送的数据：回 ACK 并丢弃"},
    {"out-of-order segment queued", "乱序报文段已排队"},
    {"segment not acceptable (outside the receive window): ACK and drop", "报文段不可接受（在接收窗口外）：回 ACK 并丢弃"},
    {"RST outside the receive window: dropped", "接收窗口外的 RST：丢弃"},
    {"in-window RST with unexpected sequence number: challenge ACK", "窗口内序号不符的 RST：挑战 ACK"},
    {"SYN on a synchronized connection: challenge ACK", "已同步连接上的 SYN：挑战 ACK"},
    // ---- crafted segments (`inject:`, core/src/network.cpp) ----
    {"crafted", "伪造的报文段"},
    {"injected, spoofed as", "注入，冒充"},
    {"injected, from", "注入，来自"},
    {"spoofed as", "冒充"},
    {"injected", "注入"},
    {"ACK older than the peer could have sent", "比对端可能发送的更旧的 ACK"},
    {"no challenge ACK", "不发挑战 ACK"},
    {"challenge ACK, dropped", "发挑战 ACK，丢弃"},
    {"one per 500 ms", "每 500 毫秒至多一个"},
    {"segment without ACK: dropped", "不带 ACK 的报文段：丢弃"},
    {"accept queue full: handshake ACK dropped", "全连接队列已满：握手 ACK 被丢弃"},
    {"FIN out of order: waits for the missing data", "乱序的 FIN：等待缺失的数据"},
    {"RST for no socket: discarded", "无对应套接字的 RST：丢弃"},
    // an RST sent in reply, and why (send_reset_reply)
    {"RST in reply: ", "回复 RST："},
    {"ACK to a listening socket with no such connection", "监听套接字收到 ACK，但没有这个连接"},
    {"unacceptable ACK in SYN_SENT", "SYN_SENT 中收到不可接受的 ACK"},
    {"unacceptable ACK in SYN_RECEIVED", "SYN_RECEIVED 中收到不可接受的 ACK"},
    {"data arrived after close(): the application can never read it", "close() 之后到达的数据：应用程序永远读不到"},
    {"socket is CLOSED", "套接字已是 CLOSED"},
    {"data for an orphaned FIN_WAIT_2 socket", "发往孤儿 FIN_WAIT_2 套接字的数据"},
    {"no socket for this segment", "没有套接字接收此报文段"},
    // ---- timers' notes (tcp_timers.cpp) ----
    {"tail loss probe: the last segment is sent again before the RTO", "尾部丢失探测（TLP）：在 RTO 到期前重发最后一个报文段"},
    {"tail loss probe: new data, before the RTO", "尾部丢失探测（TLP）：在 RTO 到期前发送新数据"},
    {"tail loss probe", "尾部丢失探测"},
    // Congestion control (core/src/tcp/tcp_congestion.cpp).
    {"fast retransmit: 3 duplicate ACKs", "快速重传：3 个重复 ACK"},
    {"NewReno recovery until", "快速恢复直到"},
    {"in recovery: cwnd + 1 MSS", "恢复期间：拥塞窗口增加 1 个 MSS"},
    {"recovery with proportional rate reduction (RFC 6937) until", "以比例降速（RFC 6937）恢复直到"},
    {"(proportional rate reduction, RFC 6937)", "（比例降速，RFC 6937）"},
    {"in recovery: cwnd", "恢复期间：拥塞窗口"},
    {"idle for more than the RTO: cwnd restarts at", "空闲超过 RTO：拥塞窗口重新从"},
    {"segments (tcp_slow_start_after_idle)", "个报文段开始（tcp_slow_start_after_idle）"},
    {"ssthresh", "慢启动阈值"},
    {"after an RTO: no fast retransmit", "RTO 之后：不做快速重传"},
    {"the loss probe repaired a loss: cwnd reduced once", "丢失探测修复了一个丢包：拥塞窗口减小一次"},
    {"duplicate ACK", "重复 ACK"},
    {"keepalive probe", "保活探测"},
    {"since the last ACK", "自上次 ACK 以来"},
    {"zero-window probes: orphan backed off to TCP_RTO_MAX (tcp_orphan_retries)",
     "零窗口探测：孤儿套接字的退避已达 TCP_RTO_MAX（tcp_orphan_retries）"},
    {"zero-window probe", "零窗口探测"},
    // ---- the processes' notes (socket_api.cpp, tcp_fsm.cpp) ----
    {"closed, but", "已关闭，但还有"},
    {"other descriptor(s) (dup() or a forked child) still refer to the socket: no FIN is sent",
     "个其他描述符（dup() 或 fork() 出的子进程）仍引用该套接字：不发送 FIN"},
    {"failed with", "失败，错误为"},
    {"; this thread stops (on_error: stop)", "；此线程按 on_error 的设置停止"},
    {"this thread stops", "此线程停止"},
    {"SO_RCVBUF is recorded but the model keeps the host's receive buffer", "已记录 SO_RCVBUF，但模型使用主机的接收缓冲区"},
    {"a concurrent loop without count or every would never end: stopped", "并发循环既无次数也无间隔，永远不会结束：已停止"},
    {"epoll loop stopped after", "epoll 循环在"},
    {"wake-ups", "次唤醒后停止"},
    {"event '", "事件“"},
    {"' has no transition in state", "”没有转换，状态"},
    {"killed by SIGPIPE", "被 SIGPIPE 杀死"},
    {"blocked", "阻塞"},
    {"failed", "失败"},
    {"ignored", "忽略"},
    {": ignored", "：忽略"},
    {": dropped", "：丢弃"},
    // ---- the network: drop reasons and faults (network.cpp) ----
    {"(retransmission)", "（重传）"},
    {"retransmission", "重传"},
    {"(lost)", "（丢失）"},
    {"lost", "丢失"},
    {"dropped:", "丢弃："},
    {"dropped", "已丢弃"},
    {"fault:", "故障："},
    {"fault", "故障"},
    {"note:", "注："},
    {"the scenario's fault rule", "场景的故障规则"},
    {"segment held back", "报文段被故障规则延迟"},
    {" by a fault rule", ""},
    {"by a fault rule", "（故障规则）"},
    {"fault rule", "故障规则"},
    {"random loss on the link", "链路随机丢包"},
    {"link down", "链路断开"},
    {"link up", "链路恢复"},
    {"link_down", "链路断开"},
    {"link_up", "链路恢复"},
    {"loses power: all TCP state is gone", "断电：所有 TCP 状态丢失"},
    {"is back, with no connections", "已恢复，没有任何连接"},
    {"writes sysctl", "写入 sysctl"},
    {"all links", "所有链路"},
    {"no route to", "无路由到达"},
    {"no link between", "没有链路连接"},
    // ---- routers, loopback and NAT (core/src/forwarding.cpp) ----
    {"does not forward", "不转发"},
    {"a segment for", "报文段的目的地址为"},
    {"via", "经由"},
    {"forwarded by", "转发者："},
    {"passes it on", "转发它"},
    {"new flow, leaves as", "新流，出口地址为"},
    {"idle timeout", "空闲超时"},
    {"the NAT forgot the flow, idle", "NAT 遗忘了该流，已空闲"},
    {"the NAT forgot the flow at", "NAT 遗忘该流于"},
    {"the NAT forgot the flow", "NAT 遗忘了该流"},
    {"the NAT does not know the flow", "NAT 不认识该流"},
    {"conntrack on", "conntrack（位于"},
    {"has no entry for", "）没有此流的表项："},
    {"it expired at", "已过期于"},
    {"a flow from outside to an inside host", "从外部到内部主机的流"},
    {"nat policy: rst", "NAT 策略：回复 RST"},
    {"nat policy: drop", "NAT 策略：丢弃"},
    {"flow", "流"},
    {"TIME_WAIT socket reused for a new loopback connection", "TIME_WAIT 套接字被新的回环连接复用"},
    {"no free port", "没有空闲端口"},
    {"fails", "失败"},
    {"and", "与"},
    {"is down", "已宕机"},
    {"host", "主机"},
    // ---- DOT legend, replay and event descriptions (slide captions) ----
    {"transitions in order", "次状态转换，按顺序"},
    {"transition in order", "次状态转换，按顺序"},
    {"double border: first state", "双边框：初始状态"},
    {"dashed: not in RFC 793 Figure 6", "虚线：不在 RFC 793 图 6 中"},
    {"not in RFC 793 Figure 6", "不在 RFC 793 图 6 中"},
    {"delayed ACK", "延迟 ACK"},
    {"keepalive", "保活"},
    {"linger", "逗留"},
    {"timer armed", "定时器启动"},
    {"timer fired", "定时器到期"},
    {"timer cancelled", "定时器取消"},
    {"timer", "定时器"},
    {"fires at", "到期时刻"},
    {"armed", "启动"},
    {"fired", "到期"},
    {"cancelled", "取消"},
    {"send", "发送"},
    {"deliver", "送达"},
    {"DROP", "丢弃"},
    {"signal", "信号"},
    {"started", "启动"},
    {"start", "启动"},
    {"exit", "退出"},
    {"forked from", "fork() 自"},
    {"exited", "退出"},
    {"status", "状态码"},
    {"killed", "被杀死"},
    {"crashed", "崩溃"},
    {"rebooted", "重启"},
    {"crash", "崩溃"},
    {"reboot", "重启"},
    {"socket", "套接字"},
};

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whether text[k] belongs to the same word as its neighbours: a hyphen or a
// dot between letters joins them (a file name "lost-final-ack.yaml" is not
// the word "lost").
bool joined(const std::string& t, std::size_t k) {
  if (k >= t.size()) return false;
  if (word_char(t[k])) return true;
  return (t[k] == '-' || t[k] == '.') && k > 0 && k + 1 < t.size() && word_char(t[k - 1]) && word_char(t[k + 1]);
}

const std::vector<Phrase>& by_length() {
  static const std::vector<Phrase> v = [] {
    std::vector<Phrase> p(std::begin(kZh), std::end(kZh));
    std::stable_sort(p.begin(), p.end(),
                     [](const Phrase& a, const Phrase& b) { return std::strlen(a.en) > std::strlen(b.en); });
    return p;
  }();
  return v;
}

// A character of the output: its UTF-8 bytes and whether a phrase of the
// table wrote it (only those are joined Chinese-style below).
struct Ch {
  std::string s;
  bool zh = false;
};

std::size_t utf8_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

void append(std::vector<Ch>& out, const std::string& s, bool zh) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = std::min(utf8_len(static_cast<unsigned char>(s[i])), s.size() - i);
    out.push_back({s.substr(i, n), zh});
    i += n;
  }
}

// A Chinese character or full-width punctuation (U+3000..U+9FFF, U+FF00..U+FFEF)
// or the curly quotes around a quoted name.
bool cjk(const Ch& c) {
  if (c.s.size() != 3) return false;
  const unsigned cp = ((c.s[0] & 0x0F) << 12) | ((c.s[1] & 0x3F) << 6) | (c.s[2] & 0x3F);
  return (cp >= 0x3000 && cp <= 0x9FFF) || (cp >= 0xFF00 && cp <= 0xFFEF) || cp == 0x201C || cp == 0x201D;
}

// Chinese needs no space between Chinese words and writes its punctuation
// full width: "收到 对 SYN 的 ACK" -> "收到对 SYN 的 ACK", "放弃: X (tcp_retries2)"
// -> "放弃：X（tcp_retries2）". Only where a translated phrase is a neighbour:
// the rest of the text (names, calls, numbers) is left as it was written.
std::string join_chinese(std::vector<Ch> c) {
  auto zh_at = [&](std::size_t i) { return i < c.size() && cjk(c[i]) && c[i].zh; };
  // ASCII ':' ';' ',' right after a translated phrase: full width.
  for (std::size_t i = 1; i < c.size(); ++i) {
    if (!zh_at(i - 1)) continue;
    const char* fw = c[i].s == ":" ? "：" : c[i].s == ";" ? "；" : c[i].s == "," ? "，" : nullptr;
    if (!fw || (i + 1 < c.size() && c[i + 1].s != " ")) continue;
    c[i] = {fw, true};
    if (i + 1 < c.size()) c[i + 1].s.clear();  // the space after it
  }
  // "(...)" after a translated phrase, or holding one, is a Chinese
  // parenthesis; a call's parentheses ("close()", "recv(fd=3)") are not.
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c[i].s != "(") continue;
    if (i > 0 && c[i - 1].s.size() == 1 && word_char(c[i - 1].s[0])) continue;
    std::size_t j = i + 1;
    int depth = 1;
    bool inner_zh = false;
    for (; j < c.size(); ++j) {
      if (c[j].s == "(") ++depth;
      if (c[j].s == ")" && --depth == 0) break;
      inner_zh |= zh_at(j);
    }
    if (j >= c.size()) continue;
    std::size_t before = i;
    while (before > 0 && c[before - 1].s.empty()) --before;
    const bool space = before > 0 && c[before - 1].s == " ";
    const std::size_t prev = space ? before - 1 : before;
    const bool after_zh = prev > 0 && c[prev - 1].zh;
    if (!after_zh && !inner_zh) continue;
    c[i] = {"（", true};
    c[j] = {"）", true};
  }
  // One space between two Chinese characters, one of them translated, or
  // before a translated "（": none (full-width punctuation has its own room).
  std::string out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c[i].s == " " && i > 0 && i + 1 < c.size()) {
      std::size_t l = i, r = i + 1;
      while (l > 0 && c[l - 1].s.empty()) --l;
      while (r < c.size() && c[r].s.empty()) ++r;
      if (l > 0 && r < c.size() && cjk(c[l - 1]) && cjk(c[r]) && (c[l - 1].zh || c[r].zh)) continue;
      if (r < c.size() && c[r].zh && c[r].s == "（") continue;  // "收到 RST（…）"
      const std::string& left = l > 0 ? c[l - 1].s : c[i].s;
      if (l > 0 && c[l - 1].zh && (left == "：" || left == "，" || left == "；")) continue;  // "故障：server …"
    }
    out += c[i].s;
  }
  return out;
}

}  // namespace

std::string localize_label(const std::string& text, const std::string& lang) {
  if (lang.rfind("zh", 0) != 0) return text;
  const auto& table = by_length();
  std::vector<Ch> out;
  out.reserve(text.size() * 2);
  bool any = false;
  std::size_t i = 0;
  while (i < text.size()) {
    bool hit = false;
    // A phrase starts at a word boundary and ends at one.
    if (i == 0 || !joined(text, i - 1) || !word_char(text[i])) {
      for (const auto& p : table) {
        const std::size_t n = std::strlen(p.en);
        if (text.compare(i, n, p.en) != 0) continue;
        if (joined(text, i + n) && word_char(p.en[n - 1])) continue;
        // A word followed by '(' is a call name (send(fd=3, ...)): kept.
        if (i + n < text.size() && text[i + n] == '(' && word_char(p.en[n - 1])) continue;
        append(out, p.zh, true);
        i += n;
        hit = any = true;
        break;
      }
    }
    if (!hit) {
      const std::size_t n = std::min(utf8_len(static_cast<unsigned char>(text[i])), text.size() - i);
      append(out, text.substr(i, n), false);
      i += n;
    }
  }
  return any ? join_chinese(std::move(out)) : text;
}

}  // namespace tcpsim
