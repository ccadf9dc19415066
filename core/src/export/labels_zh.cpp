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
    // RFC 793 Figure 6 labels (DOT edges)
    {"passive OPEN", "被动打开"},
    {"active OPEN", "主动打开"},
    {"create TCB", "创建 TCB"},
    {"delete TCB", "删除 TCB"},
    {"CLOSE", "关闭"},
    {"SEND", "发送数据"},
    {"timeout = 2MSL", "超时 = 2MSL"},
    {"rcv FIN + ACK of FIN", "收到 FIN 及对 FIN 的 ACK"},
    // segment arrival and sending
    {"rcv SYN,ACK", "收到 SYN,ACK"},
    {"rcv ACK of SYN", "收到对 SYN 的 ACK"},
    {"rcv ACK of FIN", "收到对 FIN 的 ACK"},
    {"rcv SYN", "收到 SYN"},
    {"rcv FIN", "收到 FIN"},
    {"rcv RST", "收到 RST"},
    {"rcv ACK", "收到 ACK"},
    {"rcv data after close()", "close() 之后收到数据"},
    {"snd SYN,ACK", "发送 SYN,ACK"},
    {"snd SYN", "发送 SYN"},
    {"snd FIN", "发送 FIN"},
    {"snd ACK", "发送 ACK"},
    {"snd RST", "发送 RST"},
    {"restart 2MSL", "重新计时 2MSL"},
    {"(TIME-WAIT assassination, tcp_rfc1337=0)", "（TIME-WAIT 暗杀，tcp_rfc1337=0）"},
    // causes of state changes; a bare call name is written as the call
    {"listen", "listen()"},
    {"connect", "connect()"},
    {"close", "close()"},
    {"accept", "accept()"},
    {"shutdown", "shutdown()"},
    {"2MSL timeout", "2MSL 超时"},
    // the events of the abort rows (core's FsmEvent names, the cause's prefix)
    {"ABORT", "中止"},
    {"give up", "放弃"},
    {"discard", "丢弃"},
    {"host crashed", "主机崩溃"},
    {"TIME_WAIT timer", "TIME_WAIT 定时器"},
    {"abort", "中止"},
    {"host crashed: state lost", "主机崩溃：状态丢失"},
    {"host crash", "主机崩溃"},
    {"new SYN for the same 4-tuple (RFC 1122 §4.2.2.13)", "同一四元组的新 SYN（RFC 1122 §4.2.2.13）"},
    {"TIME_WAIT socket reused for a new connection (tcp_tw_reuse=1)", "TIME_WAIT 套接字被新连接复用（tcp_tw_reuse=1）"},
    {"accept queue full (tcp_abort_on_overflow=1)", "accept 队列已满（tcp_abort_on_overflow=1）"},
    {"no TIME_WAIT: tcp_max_tw_buckets reached", "不进入 TIME_WAIT：已达 tcp_max_tw_buckets"},
    {"shutdown() in SYN_SENT", "在 SYN_SENT 中调用 shutdown()"},
    {"SYN retries exhausted (tcp_syn_retries)", "SYN 重传次数用尽（tcp_syn_retries）"},
    {"SYN,ACK retries exhausted (tcp_synack_retries)", "SYN,ACK 重传次数用尽（tcp_synack_retries）"},
    {"retransmissions exhausted (tcp_retries2)", "重传超时放弃（tcp_retries2）"},
    {"retransmissions exhausted (tcp_orphan_retries)", "重传次数用尽（tcp_orphan_retries）"},
    {"retransmissions exhausted", "重传放弃"},
    {"zero-window probes unanswered (tcp_orphan_retries)", "零窗口探测无应答（tcp_orphan_retries）"},
    {"close() with SO_LINGER {on, 0}", "以 SO_LINGER {on, 0} 调用 close()"},
    {"close() with unread data", "有未读数据时调用 close()"},
    {"keepalive: peer not answering (tcp_keepalive_probes)", "保活：对端无应答（tcp_keepalive_probes）"},
    {"listener closed before accept()", "accept() 之前监听套接字已关闭"},
    {"listener closed", "监听套接字已关闭"},
    {"RTO give-up", "重传超时放弃"},
    {"keepalive give-up", "保活放弃"},
    {"SYN give-up", "SYN 重传放弃"},
    {"orphan FIN_WAIT_2 timeout", "孤儿 FIN_WAIT_2 超时"},
    {"timeout", "超时"},
    // segments
    {"(retransmission)", "（重传）"},
    {"retransmission", "重传"},
    {"(lost)", "（丢失）"},
    {"lost", "丢失"},
    {"dropped", "已丢弃"},
    {"fault:", "故障："},
    {"the scenario's fault rule", "场景的故障规则"},
    {"segment held back", "报文段被故障规则延迟"},
    {"by a fault rule", ""},
    {"random loss on the link", "链路随机丢包"},
    {"link down", "链路断开"},
    {"link up", "链路恢复"},
    {"loses power: all TCP state is gone", "断电：所有 TCP 状态丢失"},
    {"is back, with no connections", "已恢复，没有任何连接"},
    {"all links", "所有链路"},
    {"no route to", "无路由到"},
    {"no link between", "无链路连接"},
    {"is down", "已宕机"},
    {"host", "主机"},
    {"tail loss probe: the last segment is sent again before the RTO (RFC 8985)",
     "尾部丢失探测：在 RTO 之前重发最后一个报文段（RFC 8985）"},
    {"tail loss probe", "尾部丢失探测"},
    {"keepalive probe", "保活探测"},
    {"zero-window probe", "零窗口探测"},
    {"out-of-order segment queued", "乱序报文段已排队"},
    {"FIN out of order: waits for the missing data", "乱序的 FIN：等待缺失的数据"},
    {"RST for no socket: discarded", "无对应套接字的 RST：丢弃"},
    {"RST ignored in TIME_WAIT (tcp_rfc1337=1, RFC 1337 fix TW1)", "TIME_WAIT 中忽略 RST（tcp_rfc1337=1，RFC 1337 修正 TW1）"},
    {"RST in reply:", "回复 RST："},
    {"RST outside the receive window: dropped", "接收窗口外的 RST：丢弃"},
    {"RST to a listening socket: ignored", "发往监听套接字的 RST：忽略"},
    {"RST with unacceptable ACK in SYN_SENT: dropped", "SYN_SENT 中 ACK 不可接受的 RST：丢弃"},
    {"RST without ACK in SYN_SENT: dropped", "SYN_SENT 中不带 ACK 的 RST：丢弃"},
    {"ACK for data not yet sent: ACK and drop", "确认了尚未发送的数据：回 ACK 并丢弃"},
    {"SYN on a synchronized connection: challenge ACK (RFC 5961 §4.2)", "已同步连接上的 SYN：挑战 ACK（RFC 5961 §4.2）"},
    {"in-window RST with unexpected sequence number: challenge ACK (RFC 5961)", "窗口内序号不符的 RST：挑战 ACK（RFC 5961）"},
    {"accept queue full: handshake ACK dropped (tcp_abort_on_overflow=0)", "accept 队列已满：握手 ACK 被丢弃（tcp_abort_on_overflow=0）"},
    {"out-of-window RST in TIME_WAIT: ignored", "TIME_WAIT 中窗口外的 RST：忽略"},
    {"segment not acceptable (outside the receive window): ACK and drop", "报文段不可接受（在接收窗口外）：回 ACK 并丢弃"},
    {"segment without ACK: dropped", "不带 ACK 的报文段：丢弃"},
    {"segment without SYN or RST in SYN_SENT: dropped", "SYN_SENT 中既无 SYN 也无 RST 的报文段：丢弃"},
    {"segment without SYN to a listening socket: dropped", "发往监听套接字的非 SYN 报文段：丢弃"},
    {"SO_RCVBUF is recorded but the model keeps the host's receive buffer", "SO_RCVBUF 已记录，但模型使用主机的接收缓冲区"},
    {"send() failed with EPIPE; this thread stops (on_error: stop)", "send() 以 EPIPE 失败；该线程停止（on_error: stop）"},
    {"a concurrent loop without count or every would never end: stopped", "没有 count 或 every 的并发循环永不结束：已停止"},
    {"ignored", "忽略"},
    // DOT legend and event descriptions (slide captions)
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

const std::vector<Phrase>& by_length() {
  static const std::vector<Phrase> v = [] {
    std::vector<Phrase> p(std::begin(kZh), std::end(kZh));
    std::stable_sort(p.begin(), p.end(),
                     [](const Phrase& a, const Phrase& b) { return std::strlen(a.en) > std::strlen(b.en); });
    return p;
  }();
  return v;
}

}  // namespace

std::string localize_label(const std::string& text, const std::string& lang) {
  if (lang.rfind("zh", 0) != 0) return text;
  const auto& table = by_length();
  std::string out;
  out.reserve(text.size() * 2);
  std::size_t i = 0;
  while (i < text.size()) {
    bool hit = false;
    // A phrase starts at a word boundary and ends at one.
    if (i == 0 || !word_char(text[i - 1]) || !word_char(text[i])) {
      for (const auto& p : table) {
        const std::size_t n = std::strlen(p.en);
        if (text.compare(i, n, p.en) != 0) continue;
        if (i + n < text.size() && word_char(text[i + n]) && word_char(p.en[n - 1])) continue;
        // A word followed by '(' is a call name (send(fd=3, ...)): kept.
        if (i + n < text.size() && text[i + n] == '(' && word_char(p.en[n - 1])) continue;
        out += p.zh;
        i += n;
        hit = true;
        break;
      }
    }
    if (!hit) out += text[i++];
  }
  return out;
}

}  // namespace tcpsim
