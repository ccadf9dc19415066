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
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>
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
    case FsmEvent::Abort: return "abort";
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
using Abort_ = Ev<FsmEvent::Abort>;
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
  struct transition_table : mpl::vector<
  //     Start          Event            Next          Action     Guard
  //   +--------------+----------------+-------------+----------+------+
  // CLOSED
    Row< Closed,       Listen_,         Listen,       none,      none >,
    Row< Closed,       Connect_,        SynSent,      SndSyn,    none >,
  // LISTEN (the row runs on the new child socket: the listener stays)
    Row< Listen,       RcvSyn,          SynReceived,  SndSynAck, none >,
    Row< Listen,       Close_,          Closed,       none,      none >,
    Row< Listen,       Abort_,          Closed,       none,      none >,
  // SYN-SENT
    Row< SynSent,      RcvSynAck,       Established,  SndAck,    none >,
    Row< SynSent,      RcvSyn,          SynReceived,  SndSynAck, none >,  // simultaneous open
    Row< SynSent,      RcvRst,          Closed,       none,      none >,
    Row< SynSent,      Close_,          Closed,       none,      none >,
    Row< SynSent,      Abort_,          Closed,       none,      none >,
  // SYN-RECEIVED
    Row< SynReceived,  RcvAckOfSyn,     Established,  none,      none >,
    Row< SynReceived,  RcvFin,          CloseWait,    AckFin,    none >,
    Row< SynReceived,  Close_,          FinWait1,     SndFin,    none >,
    Row< SynReceived,  RcvRst,          Closed,       none,      none >,
    Row< SynReceived,  Abort_,          Closed,       none,      none >,
  // ESTABLISHED
    Row< Established,  Close_,          FinWait1,     SndFin,    none >,
    Row< Established,  RcvFin,          CloseWait,    AckFin,    none >,
    Row< Established,  RcvRst,          Closed,       none,      none >,
    Row< Established,  Abort_,          Closed,       none,      none >,
  // FIN-WAIT-1
    Row< FinWait1,     RcvAckOfFin,     FinWait2,     none,      none >,
    Row< FinWait1,     RcvFin,          Closing,      SndAck,    none >,  // simultaneous close
    Row< FinWait1,     RcvRst,          Closed,       none,      none >,
    Row< FinWait1,     Abort_,          Closed,       none,      none >,
  // FIN-WAIT-2
    Row< FinWait2,     RcvFin,          TimeWait,     SndAck,    none >,
    Row< FinWait2,     FinWait2Timeout, Closed,       none,      none >,  // Linux, orphans only
    Row< FinWait2,     RcvRst,          Closed,       none,      none >,
    Row< FinWait2,     Abort_,          Closed,       none,      none >,
  // CLOSE-WAIT
    Row< CloseWait,    Close_,          LastAck,      SndFin,    none >,
    Row< CloseWait,    RcvRst,          Closed,       none,      none >,
    Row< CloseWait,    Abort_,          Closed,       none,      none >,
  // CLOSING
    Row< Closing,      RcvAckOfFin,     TimeWait,     none,      none >,
    Row< Closing,      RcvRst,          Closed,       none,      none >,
    Row< Closing,      Abort_,          Closed,       none,      none >,
  // LAST-ACK
    Row< LastAck,      RcvAckOfFin,     Closed,       none,      none >,
    Row< LastAck,      RcvRst,          Closed,       none,      none >,
    Row< LastAck,      Abort_,          Closed,       none,      none >,
  // TIME-WAIT
    Row< TimeWait,     Timeout2Msl,     Closed,       none,      none >,
    Row< TimeWait,     RcvRst,          Closed,       none,      none >,  // assassination (RFC 1337)
    Row< TimeWait,     Abort_,          Closed,       none,      none >
  > {};
  // clang-format on

  // An event with no row for the current state: traced, never silent.
  template <class F, class E>
  void no_transition(const E&, F&, int) {
    if (sim && sim->fsm_sock) sim->fsm_no_transition = true;
  }
};

using TcpMachine = msm::back::state_machine<TcpFront>;

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
  fsm_cause = cause ? cause : fsm_event_name(ev);
  fsm_action = nullptr;
  fsm_no_transition = false;
  m.sim = this;
  const_cast<int*>(m.current_state())[0] = ids().msm_id[static_cast<int>(s.state)];

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
    case FsmEvent::Abort: process<Abort_>(m); break;
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
  if (ev_on) {  // the cause text is built only when events are recorded
    std::string cause = fsm_cause;
    if (fsm_action && *fsm_action) cause += std::string(" / ") + fsm_action;
    trace_state(s, from, to, cause);
  }
  on_enter_state(s, to);
}

}  // namespace tcpsim
