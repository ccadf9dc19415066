// tcpsim — the TCP state machine: RFC 9293 §3.3.2 (RFC 793 Figure 6) as a
// Boost.MSM functor transition table. One row per arrow of the diagram,
// grouped by source state, then the rows of segments that change no state
// (internal transitions: an unacceptable segment, an RST or SYN judged by
// RFC 5961). Rows carry the triggering event, the condition (guard) and the
// segment the transition sends; everything else a segment does (data,
// window, ACK bookkeeping) happens in tcp_segment_arrives.cpp before the
// event is fed here ("first do the actions, then the state transition").
//
// Flyweight: one machine serves every socket. A socket stores only its
// TcpState (1 byte); fsm() loads it into the machine, processes the event
// and stores the new state. Boost.MSM has no setter for the active state id:
// current_state() points at the machine's own (non-const) int array, which
// we write through. Table order defines MSM's state ids; we never index by
// them, each state type names the TcpState it stands for.
#include <boost/mpl/for_each.hpp>
#include <boost/mpl/joint_view.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <boost/serialization/base_object.hpp>  // state_machine::serialize()
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "sim.hpp"
#include "tcpsim/fsm_table.hpp"

namespace tcpsim {

const char* fsm_event_name(FsmEvent e) {
  switch (e) {
    case FsmEvent::Listen: return "listen()";
    case FsmEvent::Connect: return "connect()";
    case FsmEvent::RcvSyn: return "rcv SYN";
    case FsmEvent::RcvSynAck: return "rcv SYN,ACK";
    case FsmEvent::RcvAckOfSyn: return "rcv ACK of SYN";
    case FsmEvent::Close: return "close()";
    case FsmEvent::RcvFin: return "rcv FIN";
    case FsmEvent::RcvAckOfFin: return "rcv ACK of FIN";
    case FsmEvent::RcvRst: return "rcv RST";
    case FsmEvent::AbortSndRst: return "ABORT";
    case FsmEvent::Discard: return "discard";
    case FsmEvent::GiveUp: return "give up";
    case FsmEvent::HostCrash: return "host crashed";
    case FsmEvent::Timeout2Msl: return "2MSL timeout";
    case FsmEvent::FinWait2Timeout: return "tcp_fin_timeout";
    case FsmEvent::RcvUnacceptable: return "rcv unacceptable segment";
  }
  return "?";
}

namespace {

namespace msm = boost::msm;
namespace mpl = boost::mpl;
using msm::front::none;
using msm::front::Row;

// ---- events ----
template <FsmEvent E>
struct Ev {
  static constexpr FsmEvent id = E;
};
using Listen_ = Ev<FsmEvent::Listen>;
using Connect_ = Ev<FsmEvent::Connect>;
using RcvSyn = Ev<FsmEvent::RcvSyn>;
using RcvSynAck = Ev<FsmEvent::RcvSynAck>;
using RcvAckOfSyn = Ev<FsmEvent::RcvAckOfSyn>;
using Close_ = Ev<FsmEvent::Close>;
using RcvFin = Ev<FsmEvent::RcvFin>;
using RcvAckOfFin = Ev<FsmEvent::RcvAckOfFin>;
using RcvRst = Ev<FsmEvent::RcvRst>;
using AbortSndRst = Ev<FsmEvent::AbortSndRst>;
using Discard = Ev<FsmEvent::Discard>;
using GiveUp = Ev<FsmEvent::GiveUp>;
using HostCrash = Ev<FsmEvent::HostCrash>;
using Timeout2Msl = Ev<FsmEvent::Timeout2Msl>;
using FinWait2Timeout = Ev<FsmEvent::FinWait2Timeout>;
using RcvUnacceptable = Ev<FsmEvent::RcvUnacceptable>;

// ---- states: each names the TcpState it stands for. Entering and leaving
// a state is where timers are armed and cancelled (Sim::on_enter_state /
// on_leave_state in tcp_timers.cpp), and where the change is traced. ----
template <TcpState S>
struct St : msm::front::state<> {
  static constexpr TcpState id = S;
  template <class E, class F>
  void on_entry(const E&, F& fsm) {
    if (fsm.sim && fsm.sim->fsm_sock) fsm.sim->fsm_entered(S);
  }
  template <class E, class F>
  void on_exit(const E&, F& fsm) {
    if (fsm.sim && fsm.sim->fsm_sock) fsm.sim->on_leave_state(*fsm.sim->fsm_sock, S);
  }
};
struct Closed : St<TcpState::Closed> {};
struct Listen : St<TcpState::Listen> {};
struct SynSent : St<TcpState::SynSent> {};
struct SynReceived : St<TcpState::SynReceived> {};
struct Established : St<TcpState::Established> {};
struct FinWait1 : St<TcpState::FinWait1> {};
struct FinWait2 : St<TcpState::FinWait2> {};
struct CloseWait : St<TcpState::CloseWait> {};
struct Closing : St<TcpState::Closing> {};
struct LastAck : St<TcpState::LastAck> {};
struct TimeWait : St<TcpState::TimeWait> {};

// ---- actions: the segment a transition sends ----
#define TCPSIM_ACTION(Name, Label, Call)                                   \
  struct Name {                                                            \
    static constexpr const char* label = Label;                            \
    template <class E, class F, class S, class T>                          \
    void operator()(const E&, F& fsm, S&, T&) const {                      \
      fsm.sim->fsm_action = label;                                         \
      fsm.sim->Call(*fsm.sim->fsm_sock);                                   \
    }                                                                      \
  };
TCPSIM_ACTION(SndSyn, "snd SYN", act_snd_syn)
TCPSIM_ACTION(SndSynAck, "snd SYN,ACK", act_snd_synack)
TCPSIM_ACTION(SndAck, "snd ACK", act_snd_ack)
TCPSIM_ACTION(AckFin, "snd ACK", act_ack_fin)  // Linux may delay it (tcp_fin: pingpong)
TCPSIM_ACTION(SndFin, "snd FIN", act_snd_fin)
TCPSIM_ACTION(SndRst, "snd RST", send_rst_for)
// The RST's own bookkeeping (Linux tcp_reset()), on the rows it takes to
// CLOSED: sends nothing, so its label is empty.
TCPSIM_ACTION(ResetTcb, "", act_reset_tcb)
// Rows that change no state (internal transitions: Next is none).
TCPSIM_ACTION(ChallengeAck, "snd challenge ACK", act_challenge_ack)
TCPSIM_ACTION(AckAndDrop, "snd ACK", act_ack_unacceptable)
TCPSIM_ACTION(DropRst, "", act_drop_rst)
#undef TCPSIM_ACTION

// ABORT's RST is built by the caller before the event (it may answer a
// segment: send_reset_reply); the row only names it, so that the table, the
// trace ("... / snd RST") and the diagram say an RST went out.
struct RstSent {
  static constexpr const char* label = "snd RST";
  template <class E, class F, class S, class T>
  void operator()(const E&, F& fsm, S&, T&) const {
    fsm.sim->fsm_action = label;
  }
};

// ---- guards: the condition a row needs, one rule each, named after it.
// The rows of one event in one state have exclusive guards, so the order in
// which Boost.MSM tries them does not matter. A guard that holds and is
// Traced names the row taken in the traced cause ("rcv FIN [tcp_max_tw_buckets
// reached] / snd ACK"); the ordinary path's guards are not traced, so the
// everyday labels stay short. Every guard that held false is listed in the
// note when no row of the event holds. ----
#define TCPSIM_GUARD(Name, Label, Traced, Cond)                              \
  struct Name {                                                              \
    static constexpr const char* label = Label;                              \
    static constexpr bool traced = Traced;                                   \
    template <class E, class F, class S, class T>                            \
    bool operator()(const E&, F& fsm, S&, T&) const {                        \
      Sim& sim = *fsm.sim;                                                   \
      const Sock& s = *sim.fsm_sock;                                         \
      if (Cond) {                                                            \
        if (Traced) sim.fsm_guard = label;                                   \
        return true;                                                         \
      }                                                                      \
      sim.fsm_guards_false += sim.fsm_guards_false.empty() ? "[" : " and [";  \
      sim.fsm_guards_false += label;                                         \
      sim.fsm_guards_false += "]";                                           \
      return false;                                                          \
    }                                                                        \
  };
// RFC 9293 §3.10.7.4, TIME-WAIT: "If the RST bit is set, then enter the
// CLOSED state". RFC 1337 (informational) advises ignoring it ("TIME-WAIT
// assassination"); Linux does so only with net.ipv4.tcp_rfc1337 = 1
// (tcp_timewait_state_process()).
TCPSIM_GUARD(Rfc1337Off, "tcp_rfc1337=0", true, sim.sys(s).tcp_rfc1337 == 0)
// Linux tcp_check_req() -> tcp_v4_syn_recv_sock(): the handshake completes
// only when the listener's accept queue has room (sk_acceptq_is_full);
// otherwise the ACK is dropped, or with tcp_abort_on_overflow answered by RST.
TCPSIM_GUARD(AcceptQueueRoom, "accept queue has room", false, sim.accept_queue_has_room(s))
TCPSIM_GUARD(AcceptQueueFullAbort, "accept queue full, tcp_abort_on_overflow=1", true,
             !sim.accept_queue_has_room(s) && sim.sys(s).tcp_abort_on_overflow)
// Linux tcp_time_wait(): TIME_WAIT needs a timewait bucket (inet_twsk_alloc);
// beyond net.ipv4.tcp_max_tw_buckets the socket is closed at once ("TCP:
// time wait bucket table overflow").
TCPSIM_GUARD(TwBucketFree, "TIME_WAIT bucket free", false, sim.tw_bucket_free(s))
TCPSIM_GUARD(TwBucketsFull, "tcp_max_tw_buckets reached", true, !sim.tw_bucket_free(s))
// RFC 9293 §3.10.7.4 with RFC 5961 §3.2 (blind reset attacks), Linux
// tcp_validate_incoming(): an RST outside the window is dropped; one at
// exactly RCV.NXT resets the connection; any other in the window draws a
// challenge ACK. The three guards of RcvRst in a synchronized state.
using RstSeq = Sim::RstSeq;
TCPSIM_GUARD(RstOutsideWindow, "RST outside the window", false,
             sim.rst_seq(s) == RstSeq::OutsideWindow)
TCPSIM_GUARD(RstAtRcvNxt, "RST at RCV.NXT", false, sim.rst_seq(s) == RstSeq::AtRcvNxt)
TCPSIM_GUARD(RstInWindowNotAtRcvNxt, "RST in the window, not at RCV.NXT", false,
             sim.rst_seq(s) == RstSeq::InWindow)
// Deviation (Linux, tcp_timewait_state_process()): an orphaned FIN_WAIT_2
// lives in a timewait socket, which any RST in the window kills ("if
// (th->rst) goto kill") without a challenge ACK: FIN_WAIT_2's own pair.
TCPSIM_GUARD(RstAtRcvNxtOrOrphan, "RST at RCV.NXT, or in the window after close()", false,
             sim.rst_seq(s) == RstSeq::AtRcvNxt ||
                 (sim.rst_seq(s) == RstSeq::InWindow && sim.rst_kills_orphan(s)))
TCPSIM_GUARD(RstInWindowNotOrphan, "RST in the window, not at RCV.NXT, before close()", false,
             sim.rst_seq(s) == RstSeq::InWindow && !sim.rst_kills_orphan(s))
#undef TCPSIM_GUARD

template <class A>
struct ActionLabel {
  static const char* get() { return A::label; }
};
template <>
struct ActionLabel<none> {
  static const char* get() { return ""; }
};
template <class G>
struct GuardLabel {
  static const char* get() { return G::label; }
  static bool traced() { return G::traced; }
};
template <>
struct GuardLabel<none> {
  static const char* get() { return ""; }
  static bool traced() { return false; }
};

struct TcpFront : msm::front::state_machine_def<TcpFront> {
  typedef int no_exception_thrown;
  typedef int no_message_queue;
  Sim* sim = nullptr;
  typedef Closed initial_state;

  // clang-format off
  // The arrows of RFC 9293 §3.3.2 (RFC 793 Figure 6), and Linux's
  // orphaned FIN_WAIT_2 timeout. A guard is the condition under which the
  // row is taken; the rows of one event in one state have exclusive guards.
  typedef mpl::vector<
  //     Start          Event            Next          Action     Guard
  //   +--------------+----------------+-------------+----------+------+
  // CLOSED
    Row< Closed,       Listen_,         Listen,       none,      none >,
    Row< Closed,       Connect_,        SynSent,      SndSyn,    none >,
  // LISTEN (the row runs on the new child socket: the listener stays)
    Row< Listen,       RcvSyn,          SynReceived,  SndSynAck, none >,
    Row< Listen,       Close_,          Closed,       none,      none >,
  // SYN-SENT
    Row< SynSent,      RcvSynAck,       Established,  SndAck,    none >,
    Row< SynSent,      RcvSyn,          SynReceived,  SndSynAck, none >,  // simultaneous open
    Row< SynSent,      RcvRst,          Closed,       ResetTcb,  none >,
    Row< SynSent,      Close_,          Closed,       none,      none >,
  // SYN-RECEIVED
    Row< SynReceived,  RcvAckOfSyn,     Established,  none,      AcceptQueueRoom >,
    Row< SynReceived,  RcvAckOfSyn,     Closed,       SndRst,    AcceptQueueFullAbort >,
    Row< SynReceived,  RcvFin,          CloseWait,    AckFin,    none >,
    Row< SynReceived,  Close_,          FinWait1,     SndFin,    none >,
    Row< SynReceived,  RcvRst,          Closed,       ResetTcb,  RstAtRcvNxt >,
  // ESTABLISHED
    Row< Established,  Close_,          FinWait1,     SndFin,    none >,
    Row< Established,  RcvFin,          CloseWait,    AckFin,    none >,
    Row< Established,  RcvRst,          Closed,       ResetTcb,  RstAtRcvNxt >,
  // FIN-WAIT-1
    Row< FinWait1,     RcvAckOfFin,     FinWait2,     none,      none >,
    Row< FinWait1,     RcvFin,          Closing,      SndAck,    none >,  // simultaneous close
    Row< FinWait1,     RcvRst,          Closed,       ResetTcb,  RstAtRcvNxt >,
  // FIN-WAIT-2
    Row< FinWait2,     RcvFin,          TimeWait,     SndAck,    TwBucketFree >,
    Row< FinWait2,     RcvFin,          Closed,       SndAck,    TwBucketsFull >,
    Row< FinWait2,     FinWait2Timeout, Closed,       none,      none >,  // Linux, orphans only
    Row< FinWait2,     RcvRst,          Closed,       ResetTcb,  RstAtRcvNxtOrOrphan >,
  // CLOSE-WAIT
    Row< CloseWait,    Close_,          LastAck,      SndFin,    none >,
    Row< CloseWait,    RcvRst,          Closed,       ResetTcb,  RstAtRcvNxt >,
  // CLOSING
    Row< Closing,      RcvAckOfFin,     TimeWait,     none,      TwBucketFree >,
    Row< Closing,      RcvAckOfFin,     Closed,       none,      TwBucketsFull >,
    Row< Closing,      RcvRst,          Closed,       ResetTcb,  RstAtRcvNxt >,
  // LAST-ACK
    Row< LastAck,      RcvAckOfFin,     Closed,       none,      none >,
    Row< LastAck,      RcvRst,          Closed,       ResetTcb,  RstAtRcvNxt >,
  // TIME-WAIT
    Row< TimeWait,     Timeout2Msl,     Closed,       none,      none >,
    Row< TimeWait,     RcvRst,          Closed,       none,      Rfc1337Off >  // assassination (RFC 1337)
  > rfc_rows;

  // ABORT and its kin: the state is dropped at once, by cause (RFC 9293
  // §3.10.5 for ABORT; the others are Linux's). One event per cause so that
  // the diagram and the DOT export draw the arrow that was taken:
  //   AbortSndRst  an RST goes out: close() with unread data (RFC 2525
  //                §2.17), SO_LINGER {on, 0}, data after close(), a full
  //                accept queue with tcp_abort_on_overflow
  //   GiveUp       a timer gave up: tcp_syn_retries, tcp_synack_retries,
  //                tcp_retries2 / tcp_orphan_retries, keepalive
  //   Discard      dropped with no segment: SO_LINGER 0 where no RST is due,
  //                a reused or reopened TIME_WAIT, tcp_max_tw_buckets
  //   HostCrash    the host lost power: nothing is sent
  typedef mpl::vector<
  //     Start          Event            Next          Action     Guard
  //   +--------------+----------------+-------------+----------+------+
    Row< Listen,       Discard,         Closed,       none,      none >,
    Row< Listen,       HostCrash,       Closed,       none,      none >,

    Row< SynSent,      GiveUp,          Closed,       none,      none >,
    Row< SynSent,      Discard,         Closed,       none,      none >,
    Row< SynSent,      HostCrash,       Closed,       none,      none >,

    Row< SynReceived,  AbortSndRst,     Closed,       RstSent,   none >,
    Row< SynReceived,  GiveUp,          Closed,       none,      none >,
    Row< SynReceived,  Discard,         Closed,       none,      none >,
    Row< SynReceived,  HostCrash,       Closed,       none,      none >,

    Row< Established,  AbortSndRst,     Closed,       RstSent,   none >,
    Row< Established,  GiveUp,          Closed,       none,      none >,
    Row< Established,  Discard,         Closed,       none,      none >,
    Row< Established,  HostCrash,       Closed,       none,      none >,

    Row< FinWait1,     AbortSndRst,     Closed,       RstSent,   none >,
    Row< FinWait1,     GiveUp,          Closed,       none,      none >,
    Row< FinWait1,     Discard,         Closed,       none,      none >,
    Row< FinWait1,     HostCrash,       Closed,       none,      none >,

    Row< FinWait2,     AbortSndRst,     Closed,       RstSent,   none >,
    Row< FinWait2,     GiveUp,          Closed,       none,      none >,
    Row< FinWait2,     Discard,         Closed,       none,      none >,
    Row< FinWait2,     HostCrash,       Closed,       none,      none >,

    Row< CloseWait,    AbortSndRst,     Closed,       RstSent,   none >,
    Row< CloseWait,    GiveUp,          Closed,       none,      none >,
    Row< CloseWait,    Discard,         Closed,       none,      none >,
    Row< CloseWait,    HostCrash,       Closed,       none,      none >,

    Row< Closing,      AbortSndRst,     Closed,       RstSent,   none >,
    Row< Closing,      GiveUp,          Closed,       none,      none >,
    Row< Closing,      Discard,         Closed,       none,      none >,
    Row< Closing,      HostCrash,       Closed,       none,      none >,

    Row< LastAck,      AbortSndRst,     Closed,       RstSent,   none >,
    Row< LastAck,      GiveUp,          Closed,       none,      none >,
    Row< LastAck,      Discard,         Closed,       none,      none >,
    Row< LastAck,      HostCrash,       Closed,       none,      none >,

    Row< TimeWait,     AbortSndRst,     Closed,       RstSent,   none >,
    Row< TimeWait,     Discard,         Closed,       none,      none >,
    Row< TimeWait,     HostCrash,       Closed,       none,      none >
  > abort_rows;

  // Segments that change no state on a synchronized connection (internal
  // transitions: Next is none, no state is left or entered): RFC 9293
  // §3.10.7.4's first, second and fourth steps, with RFC 5961.
  //   rcv unacceptable segment  outside the window, not an RST: "an
  //                             acknowledgment should be sent in reply",
  //                             the segment dropped
  //   rcv RST                   outside the window: dropped; in the window
  //                             but not at RCV.NXT: challenge ACK (§3.2)
  //   rcv SYN                   challenge ACK (§4.2)
  // The ACKs are rate-limited (RFC 5961 §7, tcp_invalid_ratelimit): the
  // trace says so when none goes out. TIME_WAIT answers in
  // timewait_arrives() (Linux's tcp_timewait_state_process), not here.
  typedef mpl::vector<
  //     Start          Event            Next          Action        Guard
  //   +--------------+----------------+-------------+-------------+------+
    Row< SynReceived,  RcvUnacceptable, none,         AckAndDrop,   none >,
    Row< SynReceived,  RcvRst,          none,         DropRst,      RstOutsideWindow >,
    Row< SynReceived,  RcvRst,          none,         ChallengeAck, RstInWindowNotAtRcvNxt >,
    Row< SynReceived,  RcvSyn,          none,         ChallengeAck, none >,

    Row< Established,  RcvUnacceptable, none,         AckAndDrop,   none >,
    Row< Established,  RcvRst,          none,         DropRst,      RstOutsideWindow >,
    Row< Established,  RcvRst,          none,         ChallengeAck, RstInWindowNotAtRcvNxt >,
    Row< Established,  RcvSyn,          none,         ChallengeAck, none >,

    Row< FinWait1,     RcvUnacceptable, none,         AckAndDrop,   none >,
    Row< FinWait1,     RcvRst,          none,         DropRst,      RstOutsideWindow >,
    Row< FinWait1,     RcvRst,          none,         ChallengeAck, RstInWindowNotAtRcvNxt >,
    Row< FinWait1,     RcvSyn,          none,         ChallengeAck, none >,

    Row< FinWait2,     RcvUnacceptable, none,         AckAndDrop,   none >,
    Row< FinWait2,     RcvRst,          none,         DropRst,      RstOutsideWindow >,
    Row< FinWait2,     RcvRst,          none,         ChallengeAck, RstInWindowNotOrphan >,
    Row< FinWait2,     RcvSyn,          none,         ChallengeAck, none >,

    Row< CloseWait,    RcvUnacceptable, none,         AckAndDrop,   none >,
    Row< CloseWait,    RcvRst,          none,         DropRst,      RstOutsideWindow >,
    Row< CloseWait,    RcvRst,          none,         ChallengeAck, RstInWindowNotAtRcvNxt >,
    Row< CloseWait,    RcvSyn,          none,         ChallengeAck, none >,

    Row< Closing,      RcvUnacceptable, none,         AckAndDrop,   none >,
    Row< Closing,      RcvRst,          none,         DropRst,      RstOutsideWindow >,
    Row< Closing,      RcvRst,          none,         ChallengeAck, RstInWindowNotAtRcvNxt >,
    Row< Closing,      RcvSyn,          none,         ChallengeAck, none >,

    Row< LastAck,      RcvUnacceptable, none,         AckAndDrop,   none >,
    Row< LastAck,      RcvRst,          none,         DropRst,      RstOutsideWindow >,
    Row< LastAck,      RcvRst,          none,         ChallengeAck, RstInWindowNotAtRcvNxt >,
    Row< LastAck,      RcvSyn,          none,         ChallengeAck, none >
  > internal_rows;

  // Boost.MPL's vector stops at 50 types: the table is the three joined.
  struct transition_table
      : mpl::joint_view<mpl::joint_view<rfc_rows, abort_rows>, internal_rows> {};
  // clang-format on

  // An event with no row for the current state: traced, never silent.
  template <class F, class E>
  void no_transition(const E&, F&, int) {
    if (sim && sim->fsm_sock) sim->fsm_no_transition = true;
  }
};

using TcpMachine = msm::back::state_machine<TcpFront>;

// The pooled machine is put in the socket's state before each dispatch.
// Boost.MSM's public way to restore a machine's active state is its
// serialize() (a machine is saved and loaded with Boost.Serialization): this
// input archive loads only the active-state array (one region), and leaves
// everything else — the event-processing flags, the states' data — as it is.
class ActiveStateLoader {
 public:
  explicit ActiveStateLoader(int id) : id_(id) {}
  template <class T>
  ActiveStateLoader& operator&(T& x) {
    load(x);
    return *this;
  }

 private:
  void load(int (&regions)[1]) { regions[0] = id_; }  // back::state_machine::m_states
  template <class T>
  void load(T&) {}
  int id_;
};

// Machines by nesting depth (an action never dispatches on another socket
// synchronously, but a pool keeps the flyweight safe if one ever does).
struct Pool {
  std::vector<std::unique_ptr<TcpMachine>> machines;
  int depth = 0;
};
Pool& pool() {
  thread_local Pool p;
  return p;
}

// TcpState -> MSM state id, found once by visiting the machine's states.
struct IdMap {
  int msm_id[kNumTcpStates];
  IdMap() {
    using Stt = TcpMachine::stt;
    assign<Closed, Stt>();
    assign<Listen, Stt>();
    assign<SynSent, Stt>();
    assign<SynReceived, Stt>();
    assign<Established, Stt>();
    assign<FinWait1, Stt>();
    assign<FinWait2, Stt>();
    assign<CloseWait, Stt>();
    assign<Closing, Stt>();
    assign<LastAck, Stt>();
    assign<TimeWait, Stt>();
  }
  template <class S, class Stt>
  void assign() {
    msm_id[static_cast<int>(S::id)] = msm::back::get_state_id<Stt, S>::type::value;
  }
  TcpState to_state(int id) const {
    for (int i = 0; i < kNumTcpStates; ++i)
      if (msm_id[i] == id) return static_cast<TcpState>(i);
    throw std::logic_error("tcp_fsm: unknown MSM state id");
  }
};
const IdMap& ids() {
  static const IdMap m;
  return m;
}

// Whether a row was taken: Boost.MSM calls no_transition() when no row of
// the event leaves the state, and answers HANDLED_GUARD_REJECT (without
// calling it) when rows exist but every guard held false.
template <class E>
bool process(TcpMachine& m) {
  return (m.process_event(E{}) & msm::back::HANDLED_TRUE) != 0;
}

// Rows as data.
struct RowCollector {
  std::vector<FsmRow>* out;
  template <class R>
  void operator()(R) const {
    // Boost.MSM's Row with Next = none is an internal transition: its
    // Target is its Source, and its tag one of the *irow_tag kinds.
    using Tag = typename R::row_type_tag;
    constexpr bool internal = std::is_same<Tag, msm::irow_tag>::value || std::is_same<Tag, msm::g_irow_tag>::value ||
                              std::is_same<Tag, msm::a_irow_tag>::value || std::is_same<Tag, msm::_irow_tag>::value;
    FsmRow row{R::Source::id, R::Target::id, fsm_event_name(R::Evt::id), GuardLabel<typename R::Guard>::get(),
               ActionLabel<typename R::Action>::get(), GuardLabel<typename R::Guard>::traced()};
    row.internal = internal;
    out->push_back(std::move(row));
  }
};

}  // namespace

const std::vector<FsmRow>& fsm_rows() {
  static const std::vector<FsmRow> rows = [] {
    std::vector<FsmRow> r;
    mpl::for_each<TcpFront::transition_table>(RowCollector{&r});
    return r;
  }();
  return rows;
}

std::string fsm_event_of_cause(std::string_view cause) {
  // The longest event name the cause begins with ("rcv SYN,ACK", not "rcv SYN").
  std::string_view best;
  for (int i = 0; i <= static_cast<int>(kLastFsmEvent); ++i) {
    std::string_view n = fsm_event_name(static_cast<FsmEvent>(i));
    if (n.size() > best.size() && cause.substr(0, n.size()) == n) best = n;
  }
  // shutdown(SHUT_WR) is the RFC's CLOSE as well (tcp_shutdown).
  if (best.empty() && cause.substr(0, 9) == "shutdown(") best = fsm_event_name(FsmEvent::Close);
  return std::string(best);
}

std::string fsm_loop_of_note(std::string_view note) {
  for (const FsmLoopNote& n : fsm_loop_notes::kAll)
    if (note == n.note) return n.loop;
  return {};
}

bool fsm_has_row(TcpState from, TcpState to) {
  for (const auto& r : fsm_rows())
    if (!r.internal && r.from == from && r.to == to) return true;
  return false;
}

bool Sim::fsm(Sock& s, FsmEvent ev, const char* cause) {
  Pool& p = pool();
  if (static_cast<int>(p.machines.size()) <= p.depth) {
    p.machines.push_back(std::make_unique<TcpMachine>());
    p.machines.back()->start();  // enters Closed with no socket bound: nothing traced
  }
  TcpMachine& m = *p.machines[p.depth];
  ++p.depth;

  // Save the outer dispatch context (nesting) and bind this socket.
  Sock* saved_sock = fsm_sock;
  TcpState saved_from = fsm_from;
  const char* saved_cause = fsm_cause;
  const char* saved_action = fsm_action;
  const char* saved_guard = fsm_guard;
  std::string saved_guards_false;
  saved_guards_false.swap(fsm_guards_false);
  fsm_sock = &s;
  fsm_from = s.state;
  // Every traced cause begins with its event's name (fsm_event_of_cause
  // reads it back): the aborts' details follow after a colon.
  std::string named;
  if (cause && (ev == FsmEvent::AbortSndRst || ev == FsmEvent::Discard || ev == FsmEvent::GiveUp ||
                ev == FsmEvent::HostCrash)) {
    named = std::string(fsm_event_name(ev)) + ": " + cause;
    cause = named.c_str();
  }
  fsm_cause = cause ? cause : fsm_event_name(ev);
  fsm_action = nullptr;
  fsm_guard = nullptr;
  fsm_no_transition = false;
  m.sim = this;
  ActiveStateLoader restore(ids().msm_id[static_cast<int>(s.state)]);
  m.serialize(restore, 0);

  bool taken = false;
  switch (ev) {
    case FsmEvent::Listen: taken = process<Listen_>(m); break;
    case FsmEvent::Connect: taken = process<Connect_>(m); break;
    case FsmEvent::RcvSyn: taken = process<RcvSyn>(m); break;
    case FsmEvent::RcvSynAck: taken = process<RcvSynAck>(m); break;
    case FsmEvent::RcvAckOfSyn: taken = process<RcvAckOfSyn>(m); break;
    case FsmEvent::Close: taken = process<Close_>(m); break;
    case FsmEvent::RcvFin: taken = process<RcvFin>(m); break;
    case FsmEvent::RcvAckOfFin: taken = process<RcvAckOfFin>(m); break;
    case FsmEvent::RcvRst: taken = process<RcvRst>(m); break;
    case FsmEvent::AbortSndRst: taken = process<AbortSndRst>(m); break;
    case FsmEvent::Discard: taken = process<Discard>(m); break;
    case FsmEvent::GiveUp: taken = process<GiveUp>(m); break;
    case FsmEvent::HostCrash: taken = process<HostCrash>(m); break;
    case FsmEvent::Timeout2Msl: taken = process<Timeout2Msl>(m); break;
    case FsmEvent::FinWait2Timeout: taken = process<FinWait2Timeout>(m); break;
    case FsmEvent::RcvUnacceptable: taken = process<RcvUnacceptable>(m); break;
  }
  const bool ignored = fsm_no_transition || !taken;
  const TcpState after = ids().to_state(m.current_state()[0]);
  const bool changed = !ignored && after != fsm_from;
  if (ignored) {
    // Either no row of the event leaves this state, or every row's guard
    // held false (an RST in TIME_WAIT with tcp_rfc1337=1).
    trace_note(s.host, &s,
               fsm_guards_false.empty()
                   ? std::string("event '") + fsm_event_name(ev) + "' has no transition in state " +
                         state_name(s.state) + ": ignored"
                   : std::string("event '") + fsm_event_name(ev) + "' in state " + state_name(s.state) +
                         ": guard " + fsm_guards_false + " is false: ignored");
  }

  fsm_sock = saved_sock;
  fsm_from = saved_from;
  fsm_cause = saved_cause;
  fsm_action = saved_action;
  fsm_guard = saved_guard;
  fsm_guards_false.swap(saved_guards_false);
  --p.depth;
  return changed;
}

// The guards' conditions.
bool Sim::accept_queue_has_room(const Sock& s) {
  Sock* lp = sock_if(s.listener);  // nullptr: no listener (simultaneous open), or it is gone
  if (!lp || !lp->listening) return true;
  const ListenQueues& lq = listens[lp->listen_idx - 1];
  // sk_acceptq_is_full(): "sk_ack_backlog > sk_max_ack_backlog"
  return static_cast<int>(lq.accept_q.size()) <= lq.backlog;
}

bool Sim::tw_bucket_free(const Sock& s) {
  // An orphaned FIN_WAIT_2 already holds its bucket: the time-wait sock only
  // changes its substate (tcp_timewait_state_process).
  return s.tw_bucket || !tw_overflow(s);
}

// Entry of a new state: the one place a state change is recorded.
void Sim::fsm_entered(TcpState to) {
  Sock& s = *fsm_sock;
  const TcpState from = fsm_from;
  s.state = to;
  s.visited |= static_cast<std::uint16_t>(1u << static_cast<int>(to));
  count_state(s, from, to);
  if (ev(EventKind::State)) {  // the cause text is built only when someone reads it
    std::string cause;
    if (text_on()) {
      cause = fsm_cause;
      if (fsm_guard) cause += std::string(" [") + fsm_guard + "]";
      if (fsm_action && *fsm_action) cause += std::string(" / ") + fsm_action;
    }
    trace_state(s, from, to, cause);
  }
  on_enter_state(s, to);
}

}  // namespace tcpsim
