// tcpsim — congestion control and loss recovery: slow start, congestion
// avoidance, fast retransmit and recovery, the window after an RTO, and the
// tail loss probe.
//
// Read first: RFC 5681 (slow start, congestion avoidance, fast retransmit /
// fast recovery), RFC 6582 (NewReno), RFC 8985 §7 (tail loss probe), RFC
// 6928 (initial window); Linux tcp_input.c (tcp_ack, tcp_fastretrans_alert,
// tcp_enter_loss, tcp_process_tlp_ack), tcp_output.c
// (tcp_schedule_loss_probe, tcp_send_loss_probe), tcp_cong.c
// (tcp_slow_start, tcp_cong_avoid_ai) and tcp_cubic.c
// (bictcp_recalc_ssthresh).
//
// Windows are counted in bytes (the model's MSS is the segment size); Linux
// counts packets. The congestion state follows Linux's icsk_ca_state: Open,
// Disorder (duplicate ACKs seen), Recovery (after a fast retransmit), Loss
// (after an RTO).
//
// The linux profile counts cwnd in packets as Linux does (the byte value is
// packets x MSS), reduces it during recovery with proportional rate
// reduction (RFC 6937, tcp_cwnd_reduction()) and grows it with CUBIC
// (tcp_cubic.c, RFC 9438), measured in docs/kernel-facts.md §62-63. The
// rfc9293 profile keeps RFC 5681 / RFC 6582: NewReno with window inflation
// and Reno's byte-counted congestion avoidance.
//
// Deviation (tcpsim): Linux negotiates SACK and finds losses with RACK; tcpsim has no
// TCP options: losses are found by counting duplicate ACKs (three, Linux's
// tcp_reordering), each duplicate ACK stands for one segment the peer holds
// (tp->sacked_out, counted as tcp_add_reno_sack() does), and the next hole
// is retransmitted on a partial ACK (RFC 6582), where RACK may have marked
// and re-sent it earlier. The segments on the wire match Linux for one loss
// in a flight (docs/kernel-facts.md §56).
//
// Deviation (tcpsim): HyStart (tcp_cubic.c hystart_update()) is not
// modelled: its delay rule needs an RTT that grows with a queue, its
// ACK-train rule ACKs spread over half the minimum RTT; the model's links
// have neither, so slow start ends at ssthresh or a loss, as on Linux over
// such a path. Linux's cubic_root() is a table and one Newton step (error
// about 0.2%); the model takes the exact integer cube root.
#include <algorithm>
#include <cmath>

#include "sim.hpp"
#include "tcpsim/seq.hpp"

namespace tcpsim {

namespace {

bool sends_data(TcpState st) {
  switch (st) {
    case TcpState::Established:
    case TcpState::CloseWait:
    case TcpState::FinWait1:
    case TcpState::Closing:
    case TcpState::LastAck:
      return true;
    default:
      return false;
  }
}

// Linux's timers count jiffies (HZ = 250 on the kernel the model was
// measured against: 4 ms). The loss probe's timeout is
// usecs_to_jiffies(2*SRTT) + TCP_TIMEOUT_MIN (2 jiffies) with two or more
// segments out: measured, a 10-segment burst on a 3 ms path sends its probe
// 12-16 ms later, never after 8 ms (docs/kernel-facts.md §57).
constexpr Time kJiffy = msec(4);
constexpr Time kTimeoutMin = 2 * kJiffy;  // TCP_TIMEOUT_MIN
Time to_jiffies(Time t) { return (t + kJiffy - 1) / kJiffy * kJiffy; }  // usecs_to_jiffies() rounds up

// Segments in flight (Linux tp->packets_out): a FIN riding on the last data
// segment is not a segment of its own.
std::uint32_t packets_out(const Sock& s, std::uint32_t mss) {
  std::uint32_t bytes = s.snd_max - s.snd_una;
  if (bytes > 1 && s.fin_ever && !s.fin_acked) --bytes;
  return (bytes + mss - 1) / mss;
}

// CUBIC's constants (tcp_cubic.c, its module parameters' defaults):
// beta = 717/1024, C = bic_scale/1024 = 41/1024 * 10, time in 1/1024 s.
constexpr std::uint32_t kBetaScale = 1024;   // BICTCP_BETA_SCALE
constexpr std::uint32_t kBeta = 717;         // beta
constexpr std::uint32_t kHz = 250;           // HZ of the kernel measured (kJiffy)
constexpr std::uint32_t kBictcpHz = 10;      // BICTCP_HZ
constexpr std::uint32_t kBetaFriendly = 8 * (kBetaScale + kBeta) / 3 / (kBetaScale - kBeta);  // beta_scale, 15
constexpr std::uint64_t kCubeRttScale = 41 * 10;                                              // bic_scale * 10
constexpr std::uint64_t kCubeFactor = (1ull << (10 + 3 * kBictcpHz)) / (41 * 10);             // 2^40 / 410

// The largest r with r^3 <= a.
std::uint32_t cube_root(std::uint64_t a) {
  auto r = static_cast<std::uint64_t>(std::cbrt(static_cast<double>(a)));
  while (r > 0 && r * r * r > a) --r;
  while ((r + 1) * (r + 1) * (r + 1) <= a) ++r;
  return static_cast<std::uint32_t>(r);
}

// Packets acknowledged by an ACK of `bytes` new bytes (the model keeps no
// segment boundaries: a full-sized segment each, one at least).
std::uint32_t packets_of(std::uint32_t bytes, std::uint32_t mss) { return std::max<std::uint32_t>(1, (bytes + mss - 1) / mss); }

// bictcp_update(): the window CUBIC aims at, as a count of packets to
// acknowledge per one-packet increase (ca->cnt).
void bictcp_update(Sock::Cubic& ca, std::uint32_t cwnd, std::uint32_t acked, std::uint32_t now_j) {
  ca.ack_cnt += acked;
  if (ca.last_cwnd == cwnd && static_cast<std::int32_t>(now_j - ca.last_time) <= static_cast<std::int32_t>(kHz / 32))
    return;
  // "The CUBIC function can update ca->cnt at most once per jiffy."
  if (!(ca.epoch_start && now_j == ca.last_time)) {
    ca.last_cwnd = cwnd;
    ca.last_time = now_j;
    if (ca.epoch_start == 0) {
      ca.epoch_start = now_j;
      ca.ack_cnt = acked;
      ca.tcp_cwnd = cwnd;
      if (ca.last_max_cwnd <= cwnd) {
        ca.k = 0;
        ca.origin_point = cwnd;
      } else {
        // K = cbrt(W_max (1 - beta) / C) (RFC 9438 (2)), in 1/1024 s.
        ca.k = cube_root(kCubeFactor * (ca.last_max_cwnd - cwnd));
        ca.origin_point = ca.last_max_cwnd;
      }
    }
    // t since the epoch began, plus the minimum RTT, in 1/1024 s.
    std::uint64_t t = static_cast<std::uint32_t>(static_cast<std::int32_t>(now_j - ca.epoch_start));
    t += static_cast<std::uint64_t>((ca.delay_min + kJiffy - 1) / kJiffy);  // usecs_to_jiffies(delay_min)
    t = (t << kBictcpHz) / kHz;
    const std::uint64_t offs = t < ca.k ? ca.k - t : t - ca.k;
    // W_cubic(t) = C (t - K)^3 + W_max (RFC 9438 (1)).
    const auto delta = static_cast<std::uint32_t>((kCubeRttScale * offs * offs * offs) >> (10 + 3 * kBictcpHz));
    const std::uint32_t target = t < ca.k ? ca.origin_point - delta : ca.origin_point + delta;
    ca.cnt = target > cwnd ? cwnd / (target - cwnd) : 100 * cwnd;
    // "The initial growth of cubic function may be too conservative when
    // the available bandwidth is still unknown": 5% per RTT at least.
    if (ca.last_max_cwnd == 0 && ca.cnt > 20) ca.cnt = 20;
  }
  // TCP friendliness (RFC 9438 §4.3, the Reno-friendly region): the window
  // Reno would have now, W_est; CUBIC grows at least as fast.
  const std::uint32_t per = std::max<std::uint32_t>((cwnd * kBetaFriendly) >> 3, 1);
  while (ca.ack_cnt > per) {
    ca.ack_cnt -= per;
    ++ca.tcp_cwnd;
  }
  if (ca.tcp_cwnd > cwnd) {
    const std::uint32_t max_cnt = cwnd / (ca.tcp_cwnd - cwnd);
    if (ca.cnt > max_cnt) ca.cnt = max_cnt;
  }
  // At most one packet per two acknowledged (1.5x per RTT).
  ca.cnt = std::max<std::uint32_t>(ca.cnt, 2);
}

}  // namespace

// cubictcp_cwnd_event(CA_EVENT_TX_START): data leaves an empty pipe after
// the sender was idle; CUBIC shifts its epoch by the idle time, so that
// idleness does not count as growth. Called before lsndtime is updated.
void Sim::cubic_tx_start(Sock& s) {
  if (!s.cubic.epoch_start || !s.lsndtime) return;
  const std::uint32_t now_j = jiffies32(now);
  const auto idle = static_cast<std::int32_t>(now_j - jiffies32(s.lsndtime));
  if (idle <= 0) return;
  s.cubic.epoch_start += static_cast<std::uint32_t>(idle);
  if (static_cast<std::int32_t>(s.cubic.epoch_start - now_j) > 0) s.cubic.epoch_start = now_j;
}

// cubictcp_acked(): CUBIC's minimum RTT (delay_min), "Discard delay samples
// right after fast recovery": none during the first second (HZ jiffies) of
// an epoch.
void Sim::cubic_rtt_sample(Sock& s, Time m) {
  if (s.cubic.delay_min != 0 && s.cubic.delay_min <= m) return;
  const auto since_epoch = static_cast<std::int32_t>(jiffies32(now) - s.cubic.epoch_start);
  if (s.cubic.epoch_start && since_epoch < static_cast<std::int32_t>(kHz)) return;
  s.cubic.delay_min = m;
}

// cubictcp_cong_avoid(): slow start up to ssthresh (tcp_slow_start()), then
// the cubic function (bictcp_update()) applied by tcp_cong_avoid_ai(), all in
// packets.
void Sim::cubic_cong_avoid(Sock& s, std::uint32_t acked) {
  const std::uint32_t mss = sys(s).mss;
  std::uint32_t cwnd = std::max<std::uint32_t>(s.cwnd / mss, 1);
  const std::uint32_t ssthresh = s.ssthresh >= kInfiniteSsthresh ? kInfiniteSsthresh : s.ssthresh / mss;
  if (cwnd < ssthresh) {
    const std::uint32_t grown = std::min<std::uint32_t>(cwnd + acked, ssthresh);
    acked -= grown - cwnd;
    cwnd = grown;
    if (acked == 0) {
      s.cwnd = cwnd * mss;
      return;
    }
  }
  bictcp_update(s.cubic, cwnd, acked, jiffies32(now));
  // tcp_cong_avoid_ai(tp, ca->cnt, acked): "If credits accumulated at a
  // higher w, apply them gently now."
  const std::uint32_t w = s.cubic.cnt;
  if (s.snd_cwnd_cnt >= w) {
    s.snd_cwnd_cnt = 0;
    ++cwnd;
  }
  s.snd_cwnd_cnt += acked;
  if (s.snd_cwnd_cnt >= w) {
    const std::uint32_t d = s.snd_cwnd_cnt / w;
    s.snd_cwnd_cnt -= d * w;
    cwnd += d;
  }
  s.cwnd = cwnd * mss;
}

// Bytes in flight as the window test counts them (Linux
// tcp_packets_in_flight(): packets out, less those the peer holds, less
// those marked lost, plus retransmissions). The linux profile takes the
// segments duplicate ACKs stand for out of the flight, so each duplicate
// ACK makes room for a new segment (as limited transmit, RFC 3042); the
// hole at SND.UNA, once retransmitted, counts once.
std::uint32_t Sim::cwnd_pipe(const Sock& s) const {
  const std::uint32_t in_flight = s.snd_nxt - s.snd_una;
  if (hosts[s.host].profile != Profile::Linux || s.sacked_out == 0) return in_flight;
  if (s.ca_state != CaState::Disorder && s.ca_state != CaState::Recovery) return in_flight;
  const std::uint64_t held = static_cast<std::uint64_t>(s.sacked_out) * hosts[s.host].sys.mss;
  return held >= in_flight ? 0 : in_flight - static_cast<std::uint32_t>(held);
}

// Deviation (Linux, tcp_cwnd_reduction(), bictcp_update(), tcp_cong_avoid_ai(), tcp_check_dsack()):
// the linux profile's cwnd during recovery is proportional rate reduction's
// and its growth CUBIC's, in packets, a D-SACK counted as delivered; the
// rfc9293 profile keeps RFC 5681 / RFC 6582 (window inflation during
// recovery, Reno's growth, bytes).
//
// Proportional rate reduction, Linux tcp_cwnd_reduction() (RFC 6937): on
// each ACK in recovery cwnd = packets in flight + what may be sent now:
// while the flight is above ssthresh, a share ssthresh/prior_cwnd of what
// was delivered (so the flight falls to ssthresh over one round trip), below
// it as much as was delivered (PRR-SSRB), one more on an ACK that moves
// SND.UNA without a new loss, never beyond ssthresh; at least the fast
// retransmission itself.
void Sim::cwnd_reduction(Sock& s, std::uint32_t delivered, bool una_advanced, bool newly_lost) {
  if (delivered == 0 || s.prior_cwnd == 0) return;
  const std::uint32_t mss = sys(s).mss;
  // The hole being repaired: marked lost, not yet retransmitted (the model
  // retransmits it right after this), so out of the flight.
  const std::uint32_t out = packets_out(s, mss);
  std::uint32_t pipe = out - std::min(s.sacked_out, out);
  if (newly_lost && pipe > 0) --pipe;
  const std::int64_t ssthresh = s.ssthresh / mss;
  const std::int64_t delta = ssthresh - pipe;
  s.prr_delivered += delivered;
  std::int64_t sndcnt;
  if (delta < 0) {
    const std::uint64_t dividend = static_cast<std::uint64_t>(ssthresh) * s.prr_delivered + s.prior_cwnd - 1;
    sndcnt = static_cast<std::int64_t>(dividend / s.prior_cwnd) - s.prr_out;
  } else {
    sndcnt = std::max<std::int64_t>(static_cast<std::int64_t>(s.prr_delivered) - s.prr_out, delivered);
    if (una_advanced && !newly_lost) ++sndcnt;
    sndcnt = std::min(delta, sndcnt);
  }
  // "Force a fast retransmit upon entering fast recovery".
  sndcnt = std::max<std::int64_t>(sndcnt, s.prr_out ? 0 : 1);
  s.cwnd = static_cast<std::uint32_t>(pipe + sndcnt) * mss;
}

// tcp_cwnd_validate(), after the sender sent (`sent`) or found cwnd full:
// cwnd limited the sender if the flight fills it. The answer holds for the
// rest of the window of data then in flight (ACKs arriving after the last
// segment of a flight that filled cwnd still grow it), unless cwnd limits
// now or more packets are out than before.
void Sim::cwnd_validate(Sock& s, bool sent) {
  if (hosts[s.host].profile != Profile::Linux) return;
  const std::uint32_t mss = sys(s).mss;
  const bool limited = cwnd_pipe(s) >= s.cwnd;
  if (!sent && !limited) return;
  const std::uint32_t out = packets_out(s, mss);
  if (!seq_lt(s.snd_una, s.cwnd_usage_seq) || limited || (!s.is_cwnd_limited && out > s.max_packets_out)) {
    s.is_cwnd_limited = limited;
    s.max_packets_out = out;
    s.cwnd_usage_seq = s.snd_nxt;
  }
}

// tcp_is_cwnd_limited(): "If in slow start, ensure cwnd grows to twice what
// was ACKed."
bool Sim::cwnd_limited(const Sock& s) const {
  if (s.is_cwnd_limited) return true;
  const std::uint32_t mss = hosts[s.host].sys.mss;
  if (s.cwnd < s.ssthresh) return static_cast<std::uint64_t>(s.cwnd) < 2ull * s.max_packets_out * mss;
  return false;
}

// tcp_slow_start_after_idle_check() (net.ipv4.tcp_slow_start_after_idle = 1),
// called for a write while nothing is in flight: idle longer than the RTO,
// tcp_cwnd_restart() halves cwnd once per RTO idle, down to the initial
// window (RFC 5681 §4.1, "restart window"), and keeps ssthresh at 3/4 of
// the window it had (tcp_current_ssthresh()).
void Sim::cwnd_restart(Sock& s) {
  if (hosts[s.host].profile != Profile::Linux || s.lsndtime == 0 || s.snd_una != s.snd_max) return;
  const Time rto = s.rto ? s.rto : sys(s).rto_initial;
  Time delta = now - s.lsndtime;
  if (delta <= rto) return;
  const std::uint32_t mss = sys(s).mss;
  std::uint32_t cwnd = s.cwnd / mss;
  const std::uint32_t restart = std::min<std::uint32_t>(10, cwnd);  // TCP_INIT_CWND
  if (s.ca_state != CaState::Recovery && s.ssthresh < kInfiniteSsthresh)
    s.ssthresh = std::max(s.ssthresh, ((cwnd >> 1) + (cwnd >> 2)) * mss);
  while ((delta -= rto) > 0 && cwnd > restart) cwnd >>= 1;
  cwnd = std::max(cwnd, restart);
  if (cwnd * mss != s.cwnd)
    trace_note(s.host, &s, "idle for more than the RTO: cwnd restarts at " + std::to_string(cwnd) +
                               " segments (tcp_slow_start_after_idle)");
  s.cwnd = cwnd * mss;
}

// The slow-start threshold after a loss.
// Deviation (Linux, bictcp_recalc_ssthresh()): CUBIC is the default
// congestion control: ssthresh = max(cwnd * 717/1024, 2) packets (bictcp_recalc_ssthresh, beta = 0.7),
// where RFC 5681 (4) says max(FlightSize / 2, 2*SMSS); the rfc9293 profile
// follows the RFC. CUBIC also ends its epoch and remembers the window the
// loss happened at (W_max), lowered further when it is below the last one
// (fast convergence, RFC 9438 §4.7).
std::uint32_t Sim::loss_ssthresh(Sock& s) {
  const std::uint32_t mss = sys(s).mss;
  if (hosts[s.host].profile == Profile::Linux) {
    const std::uint32_t pkts = s.cwnd / mss;
    s.cubic.epoch_start = 0;
    if (pkts < s.cubic.last_max_cwnd)
      s.cubic.last_max_cwnd = pkts * (kBetaScale + kBeta) / (2 * kBetaScale);
    else
      s.cubic.last_max_cwnd = pkts;
    return std::max<std::uint32_t>(pkts * kBeta / kBetaScale, 2) * mss;
  }
  const std::uint32_t flight = s.snd_max - s.snd_una;
  return std::max<std::uint32_t>(flight / 2, 2 * mss);
}

// RFC 5681 §2: "DUPLICATE ACKNOWLEDGMENT: An acknowledgment is considered a
// 'duplicate' ... when (a) the receiver of the ACK has outstanding data, (b)
// the incoming acknowledgment carries no data, (c) the SYN and FIN bits are
// both off, (d) the acknowledgment number is equal to the greatest
// acknowledgment received on the given connection (TCP.UNA ...) and (e) the
// advertised window in the incoming acknowledgment equals the advertised
// window in the last incoming acknowledgment." (Linux: !FLAG_NOT_DUP.)
// Deviation (Linux, tcp_ack()): with SACK (FLAG_NOT_DUP) a Linux sender
// counts every ACK that SACKs new data, whatever window it carries; without SACK the linux profile
// drops rule (e), since a receiver's window moves as its application reads
// (the first duplicate ACK often carries a larger window). The rfc9293
// profile keeps (e).
bool Sim::is_dup_ack(const Sock& s, const Segment& seg) const {
  const bool same_window = seg.win == s.snd_wnd || hosts[s.host].profile == Profile::Linux;
  // A D-SACK makes an ACK "not a duplicate" (FLAG_DSACKING_ACK in FLAG_NOT_DUP).
  if (seg.dsack && hosts[s.host].profile == Profile::Linux) return false;
  return s.snd_una != s.snd_max && seg.len == 0 && !(seg.flags & (kSyn | kFin)) && seg.ack == s.snd_una &&
         same_window && sends_data(s.state);
}

// One segment from `seq`, as it was first sent (data up to an MSS, the FIN
// if it reaches it), without moving SND.NXT: a fast retransmission, a
// partial-ACK retransmission or a loss probe's tail.
void Sim::retransmit_at(Sock& s, std::uint32_t seq) {
  const std::uint32_t data_end = s.iss + 1 + static_cast<std::uint32_t>(s.written);
  std::uint32_t len = seq_lt(seq, data_end) ? std::min<std::uint32_t>(data_end - seq, sys(s).mss) : 0;
  // Never beyond what was sent (snd_max counts the FIN).
  const std::uint32_t room = s.snd_max - seq;
  if (len > room) len = room;
  std::uint8_t flags = kAck;
  // The segment keeps the PSH it was first sent with (Linux retransmits the skb).
  if (len > 0 && (seq + len == data_end ||
                  std::find(s.psh_ends.begin(), s.psh_ends.end(), seq + len) != s.psh_ends.end()))
    flags |= kPsh;
  if (s.fin_ever && !s.fin_acked && seq + len == s.fin_seq) flags |= kFin;
  if (len == 0 && !(flags & kFin)) return;
  if (s.rtt_start >= 0 && seq_lt(seq, s.rtt_seq)) s.rtt_start = -1;  // Karn (linux: timed again, send_segment())
  send_segment(s, make_segment(s, flags, seq, len), true);
}

// An ACK of new data (tcp_ack -> tcp_process_tlp_ack, tcp_fastretrans_alert,
// tcp_cong_control).
void Sim::cong_on_ack(Sock& s, std::uint32_t ack, std::uint32_t acked, std::uint32_t prior_flight,
                      std::uint32_t dsack) {
  const Sysctls& y = sys(s);
  const std::uint32_t mss = y.mss;
  const bool linux = hosts[s.host].profile == Profile::Linux;
  s.dupacks = 0;
  // Packets newly delivered (tp->delivered): those acknowledged, less the
  // ones duplicate ACKs already counted (tcp_remove_reno_sacks(): "One ACK
  // acked hole. The rest eat duplicate ACKs.").
  const std::uint32_t acked_pkts = packets_of(acked, mss);
  // A D-SACK adds the spurious retransmission it reports ("A spurious
  // retransmission is delivered", tcp_check_dsack()).
  const std::uint32_t delivered = (acked_pkts > s.sacked_out ? acked_pkts - s.sacked_out : 1) + (linux ? dsack : 0);
  s.sacked_out = acked_pkts - 1 >= s.sacked_out ? 0 : s.sacked_out - (acked_pkts - 1);
  s.psh_ends.erase(std::remove_if(s.psh_ends.begin(), s.psh_ends.end(),
                                  [&](std::uint32_t end) { return seq_le(end, ack); }),
                   s.psh_ends.end());
  // tcp_process_tlp_ack(): the probe's episode ends with an ACK at or past
  // it. An ACK beyond it after a re-sent tail means the probe repaired a
  // loss: reduce the window once (CWR), as for a fast retransmit.
  if (s.tlp_high_seq && seq_ge(ack, s.tlp_high_seq)) {
    if (s.tlp_retrans && seq_gt(ack, s.tlp_high_seq)) {
      s.ssthresh = loss_ssthresh(s);
      s.cwnd = s.ssthresh;
      s.snd_cwnd_cnt = 0;
      trace_note(s.host, &s, "the loss probe repaired a loss: cwnd reduced once (tcp_process_tlp_ack)");
    }
    s.tlp_high_seq = 0;
  }
  switch (s.ca_state) {
    case CaState::Recovery:
      if (seq_ge(ack, s.recover)) {
        // RFC 6582 §3.2 step 3, full acknowledgment: "Set cwnd to ...
        // ssthresh" (deflate) and leave fast recovery. Linux
        // (tcp_end_cwnd_reduction()) does the same, then lets the ACK's
        // delivered packets grow the window (tcp_cong_control()).
        s.cwnd = s.ssthresh;
        s.ca_state = CaState::Open;
        s.cwnd_acc = 0;
        s.sacked_out = 0;
        if (!linux) return;
        break;
      }
      if (linux) {
        // A partial ACK: PRR, the next hole marked lost and re-sent.
        cwnd_reduction(s, delivered, true, true);
        retransmit_at(s, s.snd_una);
        return;
      }
      // Partial acknowledgment: "retransmit the first unacknowledged
      // segment ... deflate the congestion window by the amount of new data
      // acknowledged ... add back SMSS bytes" and stay in recovery.
      retransmit_at(s, s.snd_una);
      s.cwnd = (s.cwnd > acked ? s.cwnd - acked : 0) + (acked >= mss ? mss : 0);
      if (s.cwnd < mss) s.cwnd = mss;
      return;
    case CaState::Loss:
      // tcp_try_undo_recovery(): everything sent before the RTO is
      // acknowledged: back to Open (the window keeps growing below).
      if (seq_ge(ack, s.recover)) s.ca_state = CaState::Open;
      break;
    case CaState::Disorder:
      // Back to Open, the duplicate ACKs forgotten.
      // Deviation (tcpsim): Linux stays in Disorder while SACKed segments
      // remain (tcp_try_to_open()); the model keeps no scoreboard past an
      // ACK of new data.
      s.ca_state = CaState::Open;
      s.sacked_out = 0;
      break;
    case CaState::Open:
      break;
  }
  // tcp_cong_control -> tcp_cong_avoid: grow only a window that limits the
  // sender (tcp_is_cwnd_limited(): in slow start, cwnd < 2 * what was in
  // flight; in congestion avoidance, a flight that filled cwnd), so a
  // sender the application starves does not inflate it.
  if (linux) {
    if (cwnd_limited(s)) cubic_cong_avoid(s, delivered);
    return;
  }
  const bool limited = s.cwnd < s.ssthresh ? static_cast<std::uint64_t>(s.cwnd) < 2ull * prior_flight
                                           : prior_flight + mss > s.cwnd;
  if (!limited) return;
  if (s.cwnd < s.ssthresh) {
    // RFC 5681 (2) slow start, Linux tcp_slow_start(): one MSS per MSS
    // acknowledged, up to ssthresh; the rest counts for congestion avoidance.
    const std::uint32_t room = s.ssthresh - s.cwnd;
    const std::uint32_t grow = std::min(acked, room);
    s.cwnd += grow;
    acked -= grow;
    if (acked == 0) return;
  }
  // RFC 5681 (3) congestion avoidance (byte counting), Linux
  // tcp_cong_avoid_ai(): one MSS per window of acknowledged bytes.
  s.cwnd_acc += acked;
  while (s.cwnd_acc >= s.cwnd && s.cwnd > 0) {
    s.cwnd_acc -= s.cwnd;
    s.cwnd += mss;
  }
}

// A duplicate ACK (tcp_fastretrans_alert with !FLAG_SND_UNA_ADVANCED).
void Sim::cong_dup_ack(Sock& s) {
  const std::uint32_t mss = sys(s).mss;
  const bool linux = hosts[s.host].profile == Profile::Linux;
  if (s.dupacks < 255) ++s.dupacks;
  // tcp_add_reno_sack(): one more segment held by the peer, the hole at
  // least not (tcp_limit_reno_sacked()).
  if (linux && s.ca_state != CaState::Loss) {
    const std::uint32_t out = packets_out(s, mss);
    s.sacked_out = std::min(s.sacked_out + 1, out > 0 ? out - 1 : 0);
  }
  // Traced (as Wireshark's "Dup ACK #n"), which also records the window
  // after the ACK: the delivery event's snapshot is the one before it.
  const std::string dup = "duplicate ACK " + std::to_string(s.dupacks);
  // tcp_process_tlp_ack(): a pure duplicate ACK while a re-sent tail is
  // outstanding means the original and the probe both arrived: no loss.
  if (s.tlp_high_seq && s.tlp_retrans && s.snd_una == s.snd_max) s.tlp_high_seq = 0;
  switch (s.ca_state) {
    case CaState::Recovery:
      if (linux) {
        // PRR: one more segment delivered.
        cwnd_reduction(s, 1, false, false);
        trace_note(s.host, &s, dup + " in recovery: cwnd " + std::to_string(s.cwnd / mss) +
                                   " (proportional rate reduction, RFC 6937)");
        output(s);
        return;
      }
      // RFC 5681 §3.2 step 4 / RFC 6582: each further duplicate ACK inflates
      // the window by one segment, which may let new data out.
      s.cwnd += mss;
      trace_note(s.host, &s, dup + " in recovery: cwnd + 1 MSS (RFC 5681 §3.2)");
      output(s);
      return;
    case CaState::Loss:
      // After an RTO the go-back-N retransmission is under way.
      trace_note(s.host, &s, dup + " after an RTO: no fast retransmit");
      return;
    case CaState::Open:
      s.ca_state = CaState::Disorder;
      [[fallthrough]];
    case CaState::Disorder:
      if (s.dupacks < 3) trace_note(s.host, &s, dup);
      break;
  }
  // net.ipv4.tcp_reordering = 3. (RFC 6582's check of `recover` against
  // duplicate ACKs of an earlier episode is the Loss state here, as in
  // Linux: they are ignored until everything sent before the RTO is acked.)
  if (s.dupacks < 3) return;
  // Fast retransmit (RFC 5681 §3.2 steps 2-3): ssthresh, retransmit the
  // first unacknowledged segment, cwnd = ssthresh + 3*SMSS. Linux
  // (tcp_enter_recovery() -> tcp_init_cwnd_reduction()) remembers the
  // window (prior_cwnd) and lets PRR set cwnd from here on.
  s.prior_cwnd = s.cwnd / mss;
  s.prr_delivered = 0;
  s.prr_out = 0;
  s.snd_cwnd_cnt = 0;
  s.ssthresh = loss_ssthresh(s);
  s.recover = s.snd_max;
  s.ca_state = CaState::Recovery;
  s.cwnd_acc = 0;
  s.tlp_high_seq = 0;
  trace_note(s.host, &s,
             "fast retransmit: 3 duplicate ACKs (RFC 5681 §3.2); ssthresh " + std::to_string(s.ssthresh) +
                 (linux ? ", recovery with proportional rate reduction (RFC 6937) until "
                        : ", NewReno recovery until ") +
                 std::to_string(s.recover - s.iss) + (linux ? "" : " (RFC 6582)"));
  if (linux) {
    cwnd_reduction(s, 1, false, true);
    retransmit_at(s, s.snd_una);
  } else {
    retransmit_at(s, s.snd_una);
    s.cwnd = s.ssthresh + 3 * mss;
  }
  rearm_rto(s);
  output(s);
}

// An RTO (tcp_enter_loss): ssthresh once per episode, cwnd = 1 MSS (RFC
// 5681 §3.1 "LW"), the Loss state until everything then outstanding is
// acknowledged.
void Sim::enter_loss(Sock& s) {
  // tcp_enter_loss(): ssthresh is recomputed on the first RTO of an episode
  // (from Open or Disorder, or once everything of the last episode is
  // acknowledged), not on each backed-off one nor during fast recovery.
  if (s.ca_state == CaState::Open || s.ca_state == CaState::Disorder || !seq_gt(s.recover, s.snd_una))
    s.ssthresh = loss_ssthresh(s);
  s.cwnd = sys(s).mss;
  s.cwnd_acc = 0;
  s.snd_cwnd_cnt = 0;
  s.dupacks = 0;
  s.sacked_out = 0;
  // cubictcp_state(TCP_CA_Loss) -> bictcp_reset(): CUBIC starts over (W_max
  // and the minimum RTT forgotten).
  s.cubic = Sock::Cubic{};
  s.ca_state = CaState::Loss;
  s.recover = s.snd_max;
  s.tlp_high_seq = 0;
}

// After an ACK of new data (tcp_set_xmit_timer): nothing outstanding stops
// the timer; else a loss probe if one may be sent, else the RTO from now.
void Sim::set_xmit_timer(Sock& s) {
  if (s.snd_una == s.snd_max) {
    cancel(s, TimerKind::Retransmit);
    s.probe_armed = false;
    return;
  }
  if (!schedule_loss_probe(s, true)) rearm_rto(s);
}

// RFC 8985 §7.2, Linux tcp_schedule_loss_probe(): PTO = 2*SRTT, plus
// TCP_RTO_MIN when one segment is out (room for the peer's delayed ACK) or
// two jiffies otherwise (RFC 8985 says 2*SRTT, and max(PTO, 10 ms)); 1 s
// without an RTT sample; never later than the RTO would fire. Only in Open
// (not during recovery or after an RTO).
// Deviation (Linux, tcp_schedule_loss_probe()): Linux requires SACK for a loss
// probe (tcp_is_sack()); tcpsim has no options, so the linux profile probes
// as Linux does between two Linux hosts, which always negotiate SACK. The
// rfc9293 profile never probes.
bool Sim::schedule_loss_probe(Sock& s, bool advancing_rto) {
  if (hosts[s.host].profile != Profile::Linux || !sends_data(s.state)) return false;
  if (s.snd_una == s.snd_max || s.ca_state != CaState::Open) return false;
  const Sysctls& y = sys(s);
  Time pto = y.rto_initial;
  if (s.srtt > 0) pto = to_jiffies(2 * s.srtt) + (packets_out(s, y.mss) == 1 ? y.rto_min : kTimeoutMin);
  if (s.rto == 0) s.rto = y.rto_initial;
  const Time rto_left = advancing_rto ? s.rto : s.rto_due - now;
  if (rto_left > 0) pto = std::min(pto, rto_left);
  if (advancing_rto) s.rto_due = now + s.rto;
  // Re-arming for the same instant changes nothing (and traces nothing).
  if (s.timers[static_cast<int>(TimerKind::Retransmit)] != now + pto) arm(s, TimerKind::Retransmit, now + pto);
  s.probe_armed = true;
  return true;
}

// The probe timer fired (tcp_send_loss_probe): new data if the peer's
// window has room for it (cwnd is not consulted: "force out a loss probe
// pkt"), else the last segment again; then the RTO from now. cwnd is not
// touched, nothing counts as an RTO and the timer does not back off.
void Sim::send_loss_probe(Sock& s) {
  if (!sends_data(s.state) || s.snd_una == s.snd_max) return;
  if (s.tlp_high_seq == 0) {  // "At most one outstanding TLP"
    const std::uint32_t mss = sys(s).mss;
    const std::uint64_t unsent = s.written - s.sent;
    const std::uint32_t in_flight = s.snd_nxt - s.snd_una;
    const std::uint32_t len = static_cast<std::uint32_t>(std::min<std::uint64_t>(unsent, mss));
    const std::uint32_t before = s.snd_max;
    // New data, or a FIN held back by cwnd (tcp_send_head(): the FIN's skb).
    const bool fin_waits = unsent == 0 && s.fin_queued && !s.fin_sent;
    if ((unsent > 0 || fin_waits) && !s.fin_sent && s.snd_nxt == s.snd_max && in_flight + len <= s.snd_wnd) {
      const std::uint32_t cwnd = s.cwnd;
      const bool nodelay = s.nodelay;
      s.cwnd = std::max(cwnd, fin_waits ? ((in_flight + mss - 1) / mss + 1) * mss : in_flight + len);  // one segment past cwnd
      s.nodelay = true;                          // TCP_NAGLE_OFF
      trace_note(s.host, &s, "tail loss probe: new data, before the RTO (RFC 8985 §7.3)");
      output(s);
      s.cwnd = cwnd;
      s.nodelay = nodelay;
    }
    if (s.snd_max != before) {
      s.tlp_retrans = false;
    } else {
      const std::uint32_t tail = seq_lt(s.tail_seq, s.snd_una) ? s.snd_una : s.tail_seq;
      trace_note(s.host, &s, "tail loss probe: the last segment is sent again before the RTO (RFC 8985 §7.3)");
      retransmit_at(s, tail);
      s.tlp_retrans = true;
    }
    s.tlp_high_seq = s.snd_max;
  }
  rearm_rto(s);
}

}  // namespace tcpsim
