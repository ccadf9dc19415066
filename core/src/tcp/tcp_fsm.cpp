// tcpsim — the TCP state machine: RFC 9293 §3.3.2 (RFC 793 Figure 6) as a
// Boost.MSM functor transition table. One row per arrow of the diagram,
// grouped by source state. Rows carry the triggering event and the segment
// the transition sends; everything else a segment does (data, window,
// ACK bookkeeping) happens in tcp_segment_arrives.cpp before the event is
// fed here ("first do the actions, then the state transition").
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

template <class A>
struct ActionLabel {
  static const char* get() { return A::label; }
};
template <>
struct ActionLabel<none> {
  static const char* get() { return ""; }
};

struct TcpFront : msm::front::state_machine_def<TcpFront> {
  typedef int no_exception_thrown;
  typedef int no_message_queue;
  Sim* sim = nullptr;
  typedef Closed initial_state;

  // clang-format off
  // The arrows of RFC 9293 §3.3.2 (RFC 793 Figure 6), and Linux's
  // orphaned FIN_WAIT_2 timeout.
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
    Row< SynSent,      RcvRst,          Closed,       none,      none >,
    Row< SynSent,      Close_,          Closed,       none,      none >,
  // SYN-RECEIVED
    Row< SynReceived,  RcvAckOfSyn,     Established,  none,      none >,
    Row< SynReceived,  RcvFin,          CloseWait,    AckFin,    none >,
    Row< SynReceived,  Close_,          FinWait1,     SndFin,    none >,
    Row< SynReceived,  RcvRst,          Closed,       none,      none >,
  // ESTABLISHED
    Row< Established,  Close_,          FinWait1,     SndFin,    none >,
    Row< Established,  RcvFin,          CloseWait,    AckFin,    none >,
    Row< Established,  RcvRst,          Closed,       none,      none >,
  // FIN-WAIT-1
    Row< FinWait1,     RcvAckOfFin,     FinWait2,     none,      none >,
    Row< FinWait1,     RcvFin,          Closing,      SndAck,    none >,  // simultaneous close
    Row< FinWait1,     RcvRst,          Closed,       none,      none >,
  // FIN-WAIT-2
    Row< FinWait2,     RcvFin,          TimeWait,     SndAck,    none >,
    Row< FinWait2,     FinWait2Timeout, Closed,       none,      none >,  // Linux, orphans only
    Row< FinWait2,     RcvRst,          Closed,       none,      none >,
  // CLOSE-WAIT
    Row< CloseWait,    Close_,          LastAck,      SndFin,    none >,
    Row< CloseWait,    RcvRst,          Closed,       none,      none >,
  // CLOSING
    Row< Closing,      RcvAckOfFin,     TimeWait,     none,      none >,
    Row< Closing,      RcvRst,          Closed,       none,      none >,
  // LAST-ACK
    Row< LastAck,      RcvAckOfFin,     Closed,       none,      none >,
    Row< LastAck,      RcvRst,          Closed,       none,      none >,
  // TIME-WAIT
    Row< TimeWait,     Timeout2Msl,     Closed,       none,      none >,
    Row< TimeWait,     RcvRst,          Closed,       none,      none >   // assassination (RFC 1337)
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

  // Boost.MPL's vector stops at 50 types: the table is the two joined.
  struct transition_table : mpl::joint_view<rfc_rows, abort_rows> {};
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

template <class E>
void process(TcpMachine& m) {
  m.process_event(E{});
}

// Rows as data.
struct RowCollector {
  std::vector<FsmRow>* out;
  template <class R>
  void operator()(R) const {
    out->push_back(FsmRow{R::Source::id, R::Target::id, fsm_event_name(R::Evt::id),
                          ActionLabel<typename R::Action>::get()});
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
  for (int i = 0; i <= static_cast<int>(FsmEvent::FinWait2Timeout); ++i) {
    std::string_view n = fsm_event_name(static_cast<FsmEvent>(i));
    if (n.size() > best.size() && cause.substr(0, n.size()) == n) best = n;
  }
  // shutdown(SHUT_WR) is the RFC's CLOSE as well (tcp_shutdown).
  if (best.empty() && cause.substr(0, 9) == "shutdown(") best = fsm_event_name(FsmEvent::Close);
  return std::string(best);
}

bool fsm_has_row(TcpState from, TcpState to) {
  for (const auto& r : fsm_rows())
    if (r.from == from && r.to == to) return true;
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
  fsm_no_transition = false;
  m.sim = this;
  ActiveStateLoader restore(ids().msm_id[static_cast<int>(s.state)]);
  m.serialize(restore, 0);

  switch (ev) {
    case FsmEvent::Listen: process<Listen_>(m); break;
    case FsmEvent::Connect: process<Connect_>(m); break;
    case FsmEvent::RcvSyn: process<RcvSyn>(m); break;
    case FsmEvent::RcvSynAck: process<RcvSynAck>(m); break;
    case FsmEvent::RcvAckOfSyn: process<RcvAckOfSyn>(m); break;
    case FsmEvent::Close: process<Close_>(m); break;
    case FsmEvent::RcvFin: process<RcvFin>(m); break;
    case FsmEvent::RcvAckOfFin: process<RcvAckOfFin>(m); break;
    case FsmEvent::RcvRst: process<RcvRst>(m); break;
    case FsmEvent::AbortSndRst: process<AbortSndRst>(m); break;
    case FsmEvent::Discard: process<Discard>(m); break;
    case FsmEvent::GiveUp: process<GiveUp>(m); break;
    case FsmEvent::HostCrash: process<HostCrash>(m); break;
    case FsmEvent::Timeout2Msl: process<Timeout2Msl>(m); break;
    case FsmEvent::FinWait2Timeout: process<FinWait2Timeout>(m); break;
  }
  const bool ignored = fsm_no_transition;
  const TcpState after = ids().to_state(m.current_state()[0]);
  const bool changed = !ignored && after != fsm_from;
  if (ignored) {
    trace_note(s.host, &s,
               std::string("event '") + fsm_event_name(ev) + "' has no transition in state " +
                   state_name(s.state) + ": ignored");
  }

  fsm_sock = saved_sock;
  fsm_from = saved_from;
  fsm_cause = saved_cause;
  fsm_action = saved_action;
  --p.depth;
  return changed;
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
      if (fsm_action && *fsm_action) cause += std::string(" / ") + fsm_action;
    }
    trace_state(s, from, to, cause);
  }
  on_enter_state(s, to);
}

}  // namespace tcpsim
