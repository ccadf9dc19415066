// tcpsim — writing an action into a scenario (apply_action), profiles
// (with_profile) and branches (make_branch). docs/lab.md.
//
// Everything an action becomes is something a scenario file can say, so a
// branch saved with scenario_to_yaml() runs to the same trace:
//   drop/delay/duplicate   a segment fault (faults:), matched by sender, exact
//                          flags and rank, count 1, labelled with the action's
//                          text (the trace then names the rule by that label)
//   crash                  a crash fault at T
//   link down for D        a link_down fault at T and a link_up at T + D
//   close/shutdown/send/   a `spawn` step right after the step that binds the
//   abort                  socket: the new thread inherits the binding, waits
//                          with `at: T` and makes the call (abort: SO_LINGER
//                          {on, 0} then close(), Linux's abortive close)
//   exit                   a `spawn` first in the process's script: at T, exit
// A `spawn` is not traced (socket_api.cpp, StepKind::Spawn) and its thread
// only sleeps until T, so the run is unchanged before T.
#include <algorithm>
#include <functional>

#include "tcpsim/lab.hpp"
#include "loader/profile_defaults.hpp"

namespace tcpsim {

std::string lab_duration_text(Time d);
std::string lab_ordinal_text(int n);
const Event* lab_dropped_before_faults(const Trace& t, std::size_t send_index);
std::string lab_did_you_mean(const std::string& word, const std::vector<std::string>& words);

namespace {

std::string names_of_processes(const Scenario& sc) {
  std::string s;
  for (const auto& p : sc.processes) s += (s.empty() ? "" : ", ") + p.name;
  return s;
}
std::string names_of_hosts(const Scenario& sc) {
  std::string s;
  for (const auto& h : sc.hosts) s += (s.empty() ? "" : ", ") + h.name;
  return s;
}

std::string at_text(Time t) { return "t=" + format_time(t) + " s"; }

// Where the run ends: the scenario's duration if set, else its last event.
Time run_end(const Scenario& sc, const Trace& tr) {
  if (sc.duration > 0) return sc.duration;
  return tr.events.empty() ? 0 : tr.events.back().t;
}

void check_time(const Scenario& sc, const Trace& tr, Time at) {
  const Time end = run_end(sc, tr);
  if (at > end)
    throw ActionError(0, "the time " + lab_duration_text(at) + " is after the end of the run (" + at_text(end) + ")");
}

void check_host(const Scenario& sc, const std::string& h, const char* role) {
  if (sc.host(h)) return;
  std::vector<std::string> names;
  for (const auto& x : sc.hosts) names.push_back(x.name);
  throw ActionError(0, std::string("no host '") + visible_text(h) + "' " + role + " (hosts: " + names_of_hosts(sc) +
                           ")" + lab_did_you_mean(h, names));
}

// A process as the trace knows it.
struct ProcRun {
  std::int32_t pid = 0;
  Time start = -1;
  Time end = kNever;       // exit, kill or crash
  std::string how_ended;
};

ProcRun find_run(const Trace& tr, const std::string& name) {
  ProcRun r;
  int n = 0;
  for (const auto& p : tr.meta.processes)
    if (p.name == name) {
      ++n;
      r.pid = p.pid;
    }
  if (n > 1)
    throw ActionError(0, std::to_string(n) + " processes are named '" + name +
                             "' in this run (forked in a loop): tcpsim cannot target one of them");
  if (n == 0) throw ActionError(0, "process '" + name + "' never runs in this run");
  for (const auto& e : tr.events) {
    if (e.kind != EventKind::Process || e.pid != r.pid) continue;
    if (e.proc_op == ProcOp::Start && r.start < 0) r.start = e.t;
    if ((e.proc_op == ProcOp::Exit || e.proc_op == ProcOp::Killed || e.proc_op == ProcOp::Crash) && r.end == kNever) {
      r.end = e.t;
      r.how_ended = e.proc_op == ProcOp::Exit ? "exits" : e.proc_op == ProcOp::Killed ? "is killed" : "dies in a crash";
    }
  }
  return r;
}

// Where a process's steps are: a ProcessSpec's script, or the body of the
// fork that makes a child of that name.
struct ProcScript {
  std::vector<Step>* steps = nullptr;
  std::vector<Step>* parent_steps = nullptr;  // fork child: the script the fork is in
  std::string parent;                         // fork child: the parent's name
  bool repeated = false;                      // made by a fork that runs more than once
};

void find_fork(std::vector<Step>& steps, const std::string& child, bool repeated, std::vector<Step>* top,
               const std::string& proc, ProcScript* out) {
  for (auto& st : steps) {
    if (st.kind == StepKind::Fork && st.as == child && !out->steps) {
      out->steps = &st.body;
      out->parent_steps = top;
      out->parent = proc;
      out->repeated = repeated;
    }
    const bool rep = repeated || (st.kind == StepKind::Loop && st.count != 1);
    if (!st.body.empty()) find_fork(st.body, child, rep, st.kind == StepKind::Fork ? &st.body : top,
                                    st.kind == StepKind::Fork ? st.as : proc, out);
  }
}

ProcScript find_script(Scenario& sc, const std::string& name) {
  ProcScript r;
  for (auto& p : sc.processes)
    if (p.name == name) {
      r.steps = &p.script;
      return r;
    }
  for (auto& p : sc.processes) find_fork(p.script, name, false, &p.script, p.name, &r);
  if (!r.steps) {
    std::vector<std::string> names;
    for (const auto& p : sc.processes) names.push_back(p.name);
    throw ActionError(0, "no process '" + visible_text(name) + "' in the scenario (processes: " + names_of_processes(sc) +
                             ")" + lab_did_you_mean(name, names));
  }
  if (r.repeated)
    throw ActionError(0, "process '" + name + "' is forked in a loop: several processes have that name and a step "
                             "written into the fork would run in each");
  return r;
}

// A step that binds `binding` (the call's result gets that name).
bool binds(const Step& st, const std::string& binding) {
  switch (st.kind) {
    case StepKind::Socket:
    case StepKind::Listen:
    case StepKind::Accept:
    case StepKind::Connect:
    case StepKind::Dup:
      return st.as == binding;
    default:
      return false;
  }
}

struct Site {
  std::vector<Step>* list;
  std::size_t index;
  bool repeated;  // inside a loop that runs its body more than once
};

// Steps of this process that bind `binding`, in file order (forks' bodies
// are other processes and are not searched).
void binding_sites(std::vector<Step>& steps, const std::string& binding, bool repeated, std::vector<Site>* out) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Step& st = steps[i];
    if (binds(st, binding)) out->push_back({&steps, i, repeated});
    if (st.kind == StepKind::Spawn) binding_sites(st.body, binding, repeated, out);
    if (st.kind == StepKind::Loop) binding_sites(st.body, binding, repeated || st.count != 1, out);
  }
}

std::string socket_label(const std::string& owner, const std::string& socket) {
  return owner + "/" + socket;  // socket is "conn" or "conn#N" (N > 1): the trace's own spelling
}

// Splits "conn#2" into ("conn", 2).
std::pair<std::string, int> split_socket(const std::string& s) {
  const auto h = s.find('#');
  if (h == std::string::npos) return {s, 1};
  return {s.substr(0, h), std::stoi(s.substr(h + 1))};
}

// The call a binding step's trace ends with: the spawn written after the
// step starts when that call returns (a blocking connect() or accept()).
const char* completing_call(StepKind k) {
  switch (k) {
    case StepKind::Socket: return "socket";
    case StepKind::Listen: return "listen";
    case StepKind::Accept: return "accept";
    case StepKind::Connect: return "connect";
    case StepKind::Dup: return "dup";
    default: return "";
  }
}

// Checks that `pid` holds the socket labelled `label` at `at` in the trace,
// and has it from a completed `call` ("" = any call on it) by then.
void check_held(const Trace& tr, const std::string& label, const std::string& process, std::int32_t pid, Time at,
                const std::string& call) {
  const SocketInfo* info = nullptr;
  int same_binding = 0;
  const std::string stem = label.substr(0, label.find('#'));
  for (const auto& s : tr.meta.sockets) {
    if (s.label == label) info = &s;
    if (s.label == stem || s.label.rfind(stem + "#", 0) == 0) ++same_binding;
  }
  if (!info)
    throw ActionError(0, "there is no socket " + label + " in this run" +
                             (same_binding ? " (" + stem + " is made " + std::to_string(same_binding) + " time" +
                                                 (same_binding == 1 ? "" : "s") + ")"
                                           : ""));
  Time made = kNever;
  for (const auto& e : tr.events)
    if (e.sock == info->id && e.kind == EventKind::Call && (call.empty() || e.call == call)) {
      made = e.t;
      break;
    }
  if (made == kNever || made > at)
    throw ActionError(0, process + " does not hold " + label + " yet at " + at_text(at) +
                             (made == kNever ? "" : " (it gets it at " + at_text(made) + ")"));
  for (const auto& e : tr.events) {
    if (e.t > at) break;
    if (e.kind == EventKind::Call && e.pid == pid && e.sock == info->id && e.call == "close" && e.err == 0)
      throw ActionError(0, process + " has already closed " + label + " at " + at_text(e.t) + ", before " + at_text(at));
  }
}

Step timed(StepKind k, const std::string& sock, Time at) {
  Step s;
  s.kind = k;
  s.sock = sock;
  s.at = at;
  return s;
}

Step spawn_of(std::vector<Step> body) {
  Step s;
  s.kind = StepKind::Spawn;
  s.body = std::move(body);
  return s;
}

void apply_call(Scenario& sc, const Trace& tr, const Action& a) {
  ProcScript ps = find_script(sc, a.process);
  const ProcRun run = find_run(tr, a.process);
  if (a.at < run.start)
    throw ActionError(0, a.process + " starts at " + at_text(run.start) + ", after " + at_text(a.at));
  if (run.end <= a.at)
    throw ActionError(0, a.process + " " + run.how_ended + " at " + at_text(run.end) + ", before " + at_text(a.at));
  if (a.kind == ActionKind::Exit) {
    Step ex = timed(StepKind::Exit, "", a.at);
    ex.status = a.status;
    ps.steps->insert(ps.steps->begin(), spawn_of({ex}));
    return;
  }
  auto [binding, nth] = split_socket(a.socket);
  std::vector<Site> sites;
  binding_sites(*ps.steps, binding, false, &sites);
  std::string owner = a.process;
  bool inherited = false;
  if (sites.empty() && ps.parent_steps) {
    // A forked child inherits its parent's descriptors: the binding is made
    // by the parent; the step goes first in the child's body.
    binding_sites(*ps.parent_steps, binding, false, &sites);
    owner = ps.parent;
    inherited = true;
  }
  if (sites.empty())
    throw ActionError(0, "process '" + a.process + "' binds no socket named '" + visible_text(binding) +
                             "' (the name given with 'as:')");
  const std::string label = socket_label(owner, a.socket);
  check_held(tr, label, a.process, run.pid, a.at,
             !inherited && nth <= static_cast<int>(sites.size()) ? completing_call((*sites[nth - 1].list)[sites[nth - 1].index].kind)
                                                                  : "");
  std::vector<Step> body;
  switch (a.kind) {
    case ActionKind::Close: body.push_back(timed(StepKind::Close, binding, a.at)); break;
    case ActionKind::Shutdown: {
      Step s = timed(StepKind::Shutdown, binding, a.at);
      s.how = a.how;
      body.push_back(s);
      break;
    }
    case ActionKind::Send: {
      Step s = timed(StepKind::Send, binding, a.at);
      s.bytes = a.bytes;
      body.push_back(s);
      break;
    }
    case ActionKind::Abort: {
      // SO_LINGER {on, 0}, then close(): tcp_close() sends RST and drops the
      // connection (RFC 9293 §3.10.5 ABORT; Linux tcp_close(), sk->sk_lingertime == 0).
      Step l = timed(StepKind::SetSockOpt, binding, a.at);
      l.opt = SockOpt::Linger;
      l.on = true;
      l.value = 0;
      body.push_back(l);
      Step c;
      c.kind = StepKind::Close;
      c.sock = binding;
      body.push_back(c);
      break;
    }
    default: break;
  }
  if (inherited) {
    ps.steps->insert(ps.steps->begin(), spawn_of(std::move(body)));
    return;
  }
  // The Nth socket of this binding is made by the Nth binding step, when
  // every binding step up to it runs once.
  for (int i = 0; i < nth && i < static_cast<int>(sites.size()); ++i)
    if (sites[i].repeated)
      throw ActionError(0, "'" + binding + "' is bound inside a loop, so a step written there would run in every "
                               "iteration: tcpsim cannot target " + label + " alone");
  if (nth > static_cast<int>(sites.size()))
    throw ActionError(0, "'" + binding + "' is bound by " + std::to_string(sites.size()) + " step" +
                             (sites.size() == 1 ? "" : "s") + " of " + a.process + ", none of which makes " + label);
  const Site& s = sites[nth - 1];
  s.list->insert(s.list->begin() + static_cast<std::ptrdiff_t>(s.index) + 1, spawn_of(std::move(body)));
}

}  // namespace

Scenario apply_action(const Scenario& base, const Trace& base_trace, const Action& a) {
  Scenario sc = base;
  // A branch is no longer the file its kernel variant's paths were written
  // for (an inserted step moves them): it has no variant, and kernel-diff
  // compares it as it is.
  sc.kernel_variant_overrides.clear();
  sc.kernel_variant.reset();
  const std::string label = action_text(a);
  switch (a.kind) {
    case ActionKind::Drop:
    case ActionKind::Delay:
    case ActionKind::Duplicate: {
      check_host(sc, a.from, "sends segments");
      const auto fl = parse_flags(a.flags);
      if (!fl) throw ActionError(0, "'" + visible_text(a.flags) + "' are not flags in tcpdump notation");
      if (a.nth < 1) throw ActionError(0, "segments are counted from the 1st");
      if (a.kind == ActionKind::Delay && a.by <= 0) throw ActionError(0, "a delay must be longer than 0 s");
      // The action counts every transmission from the start of the run; the
      // rule, appended after the scenario's own, counts only those that reach
      // it (transmit() checks rules in order and stops at a drop). Before the
      // target the branch runs as the parent, so the parent's trace tells.
      int seen = 0, skipped = 0;
      for (std::size_t i = 0; i < base_trace.events.size(); ++i) {
        const Event& e = base_trace.events[i];
        if (e.kind != EventKind::Segment || e.seg_op != SegOp::Send || e.seg.flags != *fl ||
            e.host >= base_trace.meta.hosts.size() || base_trace.meta.hosts[e.host].name != a.from)
          continue;
        const Event* gone = lab_dropped_before_faults(base_trace, i);
        if (++seen < a.nth) {
          skipped += gone ? 1 : 0;
          continue;
        }
        if (gone)
          throw ActionError(0, "the " + lab_ordinal_text(a.nth) + " " + a.flags + " from " + a.from +
                                   " is already dropped before a rule of the lab sees it (" + gone->text + ")");
        break;
      }
      FaultSpec f;
      f.kind = a.kind == ActionKind::Drop ? FaultKind::Drop : a.kind == ActionKind::Delay ? FaultKind::Delay
                                                                                          : FaultKind::Duplicate;
      f.match.from = a.from;
      f.match.flags = *fl;
      f.match.nth = a.nth - skipped;
      f.match.count = 1;
      f.delay = a.by;
      f.label = label;
      sc.faults.push_back(f);
      return sc;
    }
    case ActionKind::Crash: {
      check_host(sc, a.host, "to crash");
      check_time(sc, base_trace, a.at);
      for (const auto& e : base_trace.events)
        if (e.kind == EventKind::Fault && e.call == "crash" && e.t <= a.at && e.host < base_trace.meta.hosts.size() &&
            base_trace.meta.hosts[e.host].name == a.host)
          throw ActionError(0, "host " + a.host + " is already down at " + at_text(a.at) + " (it crashes at " +
                                   at_text(e.t) + ")");
      FaultSpec f;
      f.kind = FaultKind::Crash;
      f.at = a.at;
      f.host = a.host;
      f.label = label;
      sc.faults.push_back(f);
      return sc;
    }
    case ActionKind::LinkDown: {
      check_time(sc, base_trace, a.at);
      if (!a.link_a.empty()) {
        check_host(sc, a.link_a, "at the end of the link");
        check_host(sc, a.link_b, "at the end of the link");
        bool found = sc.links.empty();  // no links: every pair of hosts is linked
        for (const auto& l : sc.links)
          if ((l.a == a.link_a && l.b == a.link_b) || (l.a == a.link_b && l.b == a.link_a)) found = true;
        if (!found) throw ActionError(0, "there is no link between " + a.link_a + " and " + a.link_b);
      }
      FaultSpec d;
      d.kind = FaultKind::LinkDown;
      d.at = a.at;
      d.link_a = a.link_a;
      d.link_b = a.link_b;
      d.label = label;
      FaultSpec u = d;
      u.kind = FaultKind::LinkUp;
      u.at = a.at + a.duration;
      sc.faults.push_back(d);
      sc.faults.push_back(u);
      return sc;
    }
    default:
      check_time(sc, base_trace, a.at);
      apply_call(sc, base_trace, a);
      return sc;
  }
}

Scenario with_profile(const Scenario& base, Profile profile) {
  Scenario sc = base;
  for (auto& h : sc.hosts) {
    // The values a profile starts from (docs/model.md, "The rfc9293
    // profile": 2MSL, the RFC 6298 RTO floor, SYN backoff) follow the new
    // profile, as if the file had said `profile:`; a value the scenario
    // changed from the old profile's default stays.
    const Sysctls from = loader::profile_defaults(h.profile), to = loader::profile_defaults(profile);
    Sysctls& y = h.sysctls;
    if (y.time_wait == from.time_wait) y.time_wait = to.time_wait;
    if (y.rto_min == from.rto_min) y.rto_min = to.rto_min;
    if (y.rto_initial == from.rto_initial) y.rto_initial = to.rto_initial;
    if (y.tcp_syn_linear_timeouts == from.tcp_syn_linear_timeouts)
      y.tcp_syn_linear_timeouts = to.tcp_syn_linear_timeouts;
    h.profile = profile;
  }
  return sc;
}

namespace {

// Why an action that left the run unchanged did nothing.
std::string why_nothing(const Trace& parent, const Action& a) {
  if (a.kind == ActionKind::Drop || a.kind == ActionKind::Delay || a.kind == ActionKind::Duplicate) {
    int sent = 0;
    const auto fl = parse_flags(a.flags);
    for (std::size_t i = 0; i < parent.events.size(); ++i) {
      const Event& e = parent.events[i];
      if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && fl && e.seg.flags == *fl &&
          e.host < parent.meta.hosts.size() && parent.meta.hosts[e.host].name == a.from)
        ++sent;
    }
    if (sent < a.nth) {
      // "F" for "F.": the same flags with(out) ACK were sent.
      std::string hint;
      if (fl) {
        const std::uint8_t other = *fl ^ kAck;
        for (const auto& e : parent.events)
          if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && e.seg.flags == other &&
              e.host < parent.meta.hosts.size() && parent.meta.hosts[e.host].name == a.from) {
            hint = "; " + a.from + " does send " + flags_string(other) + ": did you mean '" + flags_string(other) + "'?";
            break;
          }
      }
      return "the " + lab_ordinal_text(a.nth) + " " + a.flags + " from " + a.from + " is never sent (" +
             (sent == 0 ? std::string("none is") : "only " + std::to_string(sent) + (sent == 1 ? " is" : " are")) + ")" +
             hint;
    }
  }
  return "the run is the same, event for event, with and without it";
}

// For a call: the injected call must act on the socket the action names
// (a binding made more than once may be rebound before the spawn runs).
void check_target(const Trace& branch, const Action& a) {
  if (a.kind != ActionKind::Close && a.kind != ActionKind::Shutdown && a.kind != ActionKind::Send &&
      a.kind != ActionKind::Abort)
    return;
  const char* call = a.kind == ActionKind::Close ? "close" : a.kind == ActionKind::Shutdown ? "shutdown"
                     : a.kind == ActionKind::Send ? "send" : "setsockopt";
  std::int32_t pid = 0;
  for (const auto& p : branch.meta.processes)
    if (p.name == a.process) pid = p.pid;
  std::string hit;
  for (const auto& e : branch.events) {
    if (e.kind != EventKind::Call || e.pid != pid || e.call != call || (e.start != a.at && e.t != a.at)) continue;
    const SocketInfo* s = branch.meta.socket(e.sock);
    const std::string l = s ? s->label : "";
    if (s && (split_socket(l.substr(l.find('/') + 1)).first == split_socket(a.socket).first)) {
      const std::string want = l.substr(0, l.find('/') + 1) + a.socket;
      if (l == want) return;
      hit = l;
    } else if (!s && e.err) {
      hit = std::string("no socket (") + (errno_name(e.err) ? errno_name(e.err) : "error") + ")";
    }
  }
  throw ActionError(0, "tcpsim could not target " + a.process + "'s " + a.socket + " at " + at_text(a.at) +
                           (hit.empty() ? "" : ": the call written into the scenario reached " + hit));
}

}  // namespace

Branch make_branch(const Scenario& parent_scenario, const Trace& parent_trace, std::vector<Action> parent_actions,
                   const Action& a, const RunOptions& opt) {
  Branch b;
  b.scenario = apply_action(parent_scenario, parent_trace, a);
  b.trace = run_scenario(b.scenario, opt);
  b.from_parent = first_divergence(parent_trace, b.trace);
  if (b.from_parent.identical) throw ActionError(0, action_text(a) + " changes nothing: " + why_nothing(parent_trace, a));
  // A run cut short (a limit, a cancel) may end before the action's time.
  if (b.trace.meta.stopped_by.empty()) check_target(b.trace, a);
  b.actions = std::move(parent_actions);
  b.actions.push_back(a);
  b.name = action_text(a);
  // The parent's expectations describe the run without this change.
  b.scenario.expect = expect_from_run(b.trace);
  return b;
}

}  // namespace tcpsim
