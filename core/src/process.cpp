// tcpsim — processes and threads running their scripts.
//
// A thread executes its steps in order. Each step first waits for its
// timing (`at`, `after`), then for its trigger (`when`), then performs its
// action (socket_api.cpp), which may block like a real blocking call. A
// blocked thread sits on a socket's waiter list and is re-run when the
// socket changes; threads woken by an event run at the same virtual time,
// in the order they were woken, so runs are deterministic.
#include <algorithm>

#include "sim.hpp"

namespace tcpsim {

std::uint16_t Sim::intern(const std::string& n) {
  auto it = name_ids.find(n);
  if (it != name_ids.end()) return it->second;
  const std::uint16_t id = static_cast<std::uint16_t>(names.size());
  names.push_back(n);
  name_ids.emplace(n, id);
  return id;
}

std::int32_t Sim::binding(const Thread& t, const std::string& name) const {
  auto it = name_ids.find(name);
  if (it == name_ids.end()) return -1;
  for (auto b = t.bind.rbegin(); b != t.bind.rend(); ++b)
    if (b->first == it->second) return b->second;
  return -1;
}

void Sim::set_binding(Thread& t, const std::string& name, std::int32_t fd) {
  const std::uint16_t id = intern(name);
  for (auto& b : t.bind)
    if (b.first == id) {
      b.second = fd;
      return;
    }
  t.bind.emplace_back(id, fd);
}

std::string Sim::label_for(Process& p, const std::string& b) {
  const std::uint32_t n = ++p.label_counts[intern(b)];
  if (!ev_on && !labels_wanted) return std::string();
  std::string l = p.name + "/" + b;
  if (n > 1) l += "#" + std::to_string(n);
  return l;
}

Sock* Sim::sock_of_fd(const Process& p, std::int32_t fd) {
  if (fd < 0 || static_cast<std::size_t>(fd) >= p.fds.size()) return nullptr;
  const std::uint32_t id = p.fds[fd].sock;
  return id && id != kEpollInstance ? &sock(id) : nullptr;
}

int Sim::fd_alloc(Process& p, std::uint32_t id, bool cloexec) {
  // The lowest free descriptor; 0-2 are the standard streams. The search
  // starts at fd_hint, below which every descriptor is taken (as Linux's
  // next_fd), so a server holding a million descriptors allocates in O(1).
  if (!within_limit(fds_open, opt.limits.descriptors, "descriptors", "--max-fds",
                    "open descriptors in all processes, at " + p.name, p.host))
    return -1;
  for (std::size_t fd = std::max<std::size_t>(p.fd_hint, 3); fd < p.fds.size(); ++fd) {
    if (!p.fds[fd].sock && !p.fds[fd].reserved) {
      p.fds[fd] = FdEntry{id, cloexec};
      if (id != kEpollInstance) ++sock(id).fd_refs;
      ++fds_open;
      p.fd_hint = fd + 1;
      return static_cast<int>(fd);
    }
  }
  if (static_cast<int>(p.fds.size()) >= p.fd_limit) return -1;  // EMFILE (RLIMIT_NOFILE)
  if (p.fds.size() < 3) p.fds.resize(3);
  p.fds.push_back(FdEntry{id, cloexec});
  if (id != kEpollInstance) ++sock(id).fd_refs;
  ++fds_open;
  p.fd_hint = p.fds.size();
  return static_cast<int>(p.fds.size() - 1);
}

void Sim::fd_close(Process& p, int fd) {
  FdEntry& e = p.fds[fd];
  const std::uint32_t id = e.sock;
  e = FdEntry{};
  if (static_cast<std::size_t>(fd) < p.fd_hint) p.fd_hint = static_cast<std::size_t>(fd);
  if (!id) return;
  --fds_open;
  if (id == kEpollInstance) return;
  Sock& s = sock(id);
  if (--s.fd_refs == 0) tcp_close(s);  // the last reference: TCP's CLOSE
}

void Sim::start_process(std::uint32_t idx) {
  Process& p = procs[idx];
  if (hosts[p.host].crashed) {
    p.alive = false;
    return;
  }
  trace_process(p, ProcOp::Start, 0);
  const std::uint32_t tid = new_thread(p.pid, &p.spec->script, {});
  make_runnable(tid);
}

std::uint32_t Sim::new_thread(std::int32_t pid, const std::vector<Step>* steps,
                              const std::vector<std::pair<std::uint16_t, std::int32_t>>& bind) {
  within_limit(threads.size() - threads_free.size(), opt.limits.threads, "threads", "--max-threads",
               "threads alive, at " + procs[pid - 1].name, procs[pid - 1].host);
  std::uint32_t tid;
  if (!threads_free.empty()) {
    tid = threads_free.back();
    threads_free.pop_back();
    // Reuse the slot's vectors (emptied by finish_thread): no allocation per thread.
    std::vector<Frame> frames = std::move(threads[tid].frames);
    std::vector<std::pair<std::uint16_t, std::int32_t>> keep = std::move(threads[tid].bind);
    threads[tid] = Thread{};
    threads[tid].frames = std::move(frames);
    threads[tid].bind = std::move(keep);
  } else {
    tid = static_cast<std::uint32_t>(threads.size());
    threads.emplace_back();
  }
  Thread& t = threads[tid];
  t.id = tid;
  t.pid = pid;
  t.frames.push_back(Frame{steps, 0, 0, now, nullptr});
  t.bind = bind;
  t.state = ThreadState::Ready;
  ++procs[pid - 1].threads_live;
  return tid;
}

void Sim::make_runnable(std::uint32_t tid) {
  Thread& t = threads[tid];
  if (t.state == ThreadState::Done) return;
  if (t.state == ThreadState::Blocked && t.wait_sock) {
    auto& w = sock(t.wait_sock).waiters;
    w.erase(std::remove(w.begin(), w.end(), tid), w.end());
    t.wait_sock = 0;
  }
  if (t.state != ThreadState::Ready || std::find(runnable.begin(), runnable.end(), tid) == runnable.end()) {
    t.state = ThreadState::Ready;
    runnable.push_back(tid);
  }
}

void Sim::run_runnable() {
  // Threads made runnable while these run are appended and run too.
  for (std::size_t i = 0; i < runnable.size(); ++i) run_thread(runnable[i]);
  runnable.clear();
}

void Sim::sleep_until(Thread& t, Time when) {
  t.state = ThreadState::Sleeping;
  t.wake_at = when;
  schedule(when, QWake, t.id + 1);
}

void Sim::block_on(Thread& t, Sock* s) {
  t.state = ThreadState::Blocked;
  t.wait_sock = s ? s->id : 0;
  if (s) s->waiters.push_back(t.id);
}

void Sim::finish_thread(Thread& t) {
  if (t.state == ThreadState::Done) return;
  if (t.wait_sock) {
    auto& w = sock(t.wait_sock).waiters;
    w.erase(std::remove(w.begin(), w.end(), t.id), w.end());
    t.wait_sock = 0;
  }
  t.state = ThreadState::Done;
  t.frames.clear();  // capacity kept for the next thread in this slot
  t.bind.clear();
  --procs[t.pid - 1].threads_live;
  threads_free.push_back(t.id);
}

void Sim::kill_process(Process& p, ProcOp how, int status, const std::string& why) {
  if (!p.alive) return;
  p.alive = false;
  trace_process(p, how, status, why);
  for (auto& t : threads)
    if (t.pid == p.pid && t.state != ThreadState::Done) finish_thread(t);
  if (how == ProcOp::Crash) {
    // The machine is gone: no close() happens, the sockets just vanish
    // (crash_host clears them).
    for (auto& e : p.fds)
      if (e.sock) {
        if (e.sock != kEpollInstance) --sock(e.sock).fd_refs;
        --fds_open;
        e = FdEntry{};
      }
    return;
  }
  // exit(): the kernel closes every descriptor, in order.
  for (std::size_t fd = 0; fd < p.fds.size(); ++fd)
    if (p.fds[fd].sock) fd_close(p, static_cast<int>(fd));
}

bool Sim::trigger_holds(const Thread& t, const Trigger& tr) {
  const Process& p = procs[t.pid - 1];
  const Sock* s = sock_of_fd(p, binding(t, tr.sock));
  if (!s) return true;  // nothing to wait for: the action reports EBADF
  switch (tr.kind) {
    case Trigger::Kind::None: return true;
    case Trigger::Kind::State: return (s->visited >> static_cast<int>(tr.state)) & 1u;
    case Trigger::Kind::Eof: return s->done;
    case Trigger::Kind::Readable: return s->rcv_buf() > 0 || s->done || s->err;
    case Trigger::Kind::Closed: return s->state == TcpState::Closed;
    case Trigger::Kind::Reset: return s->reset_rcvd;
    // poll(POLLOUT): EPOLLOUT, EPOLLERR or EPOLLHUP (tcp_poll()).
    case Trigger::Kind::Writable: return poll_mask(*s) & (0x004u | 0x008u | 0x010u);
  }
  return true;
}

StepResult Sim::exec_step(Thread& t, const Step& st) {
  if (t.phase == 0) {  // timing
    t.phase = 1;
    if (st.at && now < *st.at) {
      sleep_until(t, *st.at);
      return StepResult::Wait;
    }
    if (st.after && *st.after > 0) {
      sleep_until(t, now + *st.after);
      return StepResult::Wait;
    }
  }
  if (t.phase == 1) {  // trigger
    if (st.when.kind != Trigger::Kind::None && !trigger_holds(t, st.when)) {
      Process& p = procs[t.pid - 1];
      block_on(t, sock_of_fd(p, binding(t, st.when.sock)));
      return StepResult::Wait;
    }
    t.phase = 2;
    t.call_start = now;
    t.progress = 0;
  }
  return do_call(t, st);
}

void Sim::run_thread(std::uint32_t tid) {
  Thread& t = threads[tid];
  if (t.state == ThreadState::Done) return;
  if (!procs[t.pid - 1].alive) {
    finish_thread(t);
    return;
  }
  t.state = ThreadState::Ready;
  for (;;) {
    if (t.state == ThreadState::Done) return;
    // A script that loops without ever blocking would freeze virtual time:
    // stop it, with a note, instead of hanging the run.
    if (t.spin_time != now) {
      t.spin_time = now;
      t.spins = 0;
    } else if (++t.spins > opt.limits.steps_per_instant) {
      // Script steps take no virtual time: a loop that never sleeps or
      // blocks would run for ever at one instant.
      const Frame& top = t.frames.back();
      hit_limit("script steps at one instant", "--max-steps", std::to_string(opt.limits.steps_per_instant),
                "a thread of " + procs[t.pid - 1].name + " ran that many steps without virtual time passing" +
                    (top.loop ? ", in iteration " + std::to_string(top.iter + 1) +
                                    " of a loop that never sleeps or blocks (give it every: or a sleep)"
                              : ""),
                procs[t.pid - 1].host);
      return;
    }
    if (limit_hit) return;
    if (t.frames.empty()) {
      finish_thread(t);
      return;
    }
    Frame& f = t.frames.back();
    if (f.pc >= f.steps->size()) {
      if (f.loop) {  // one iteration of a sequential loop ended
        const Step& L = *f.loop;
        ++f.iter;
        if (L.count != 0 && f.iter >= L.count) {
          t.frames.pop_back();
          t.frames.back().pc++;
          t.phase = 0;
          continue;
        }
        f.pc = 0;
        t.phase = 0;
        if (L.every > 0) {
          // In 128 bits: a long loop with a long period passes 2^63 us; the
          // virtual-time limit then ends the run instead of time wrapping.
          const __int128 at = static_cast<__int128>(f.loop_start) +
                              static_cast<__int128>(f.iter) * static_cast<__int128>(L.every);
          const Time next = at >= static_cast<__int128>(kNever) ? kNever : static_cast<Time>(at);
          if (next > now) {
            sleep_until(t, next);
            return;
          }
        }
        continue;
      }
      finish_thread(t);  // the script (or a spawned body) ended
      return;
    }
    const Step& st = (*f.steps)[f.pc];
    const StepResult r = exec_step(t, st);
    if (r == StepResult::Wait) return;
    if (r == StepResult::Pushed) {
      t.phase = 0;
      continue;
    }
    if (t.state == ThreadState::Done) return;
    t.frames.back().pc++;
    t.phase = 0;
    t.call_start = 0;
    t.progress = 0;
    t.attempt = 0;
  }
}

}  // namespace tcpsim
