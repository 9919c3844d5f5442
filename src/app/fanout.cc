// The fan-out: one bounded queue and one thread per consumer (fanout.h).
#include "app/fanout.h"

#include "common/thread_name.h"

namespace ms {

FanOut::~FanOut() { close(); }

void FanOut::add(BatchConsumer* c, size_t depth) {
  auto s = std::make_unique<Slot>();
  s->c = c;
  s->q = std::make_unique<BoundedQueue<SharedBatch>>(depth);
  slots_.push_back(std::move(s));
}

void FanOut::start() {
  for (auto& s : slots_) {
    Slot* slot = s.get();
    slot->t = std::thread([slot] { run(*slot); });
  }
}

void FanOut::push(std::vector<Event>&& batch) {
  if (slots_.empty()) return;
  SharedBatch b = std::make_shared<const std::vector<Event>>(std::move(batch));
  // One producer at a time, so every queue gets the batches in one order.
  // A full queue blocks here: back-pressure from the slowest consumer.
  std::lock_guard<std::mutex> lk(push_m_);
  for (auto& s : slots_) s->q->push(b);
}

void FanOut::run(Slot& s) {
  name_thread(s.c->thread_name());
  try {
    s.c->start();
  } catch (const std::exception& ex) {
    s.error = ex.what();
  }
  for (;;) {
    std::optional<SharedBatch> b;
    auto due = s.error.empty() ? s.c->deadline() : std::nullopt;
    if (due) {
      bool timed_out = false;
      b = s.q->pop_until(*due, timed_out);
      if (timed_out) {
        try {
          s.c->on_deadline();
        } catch (const std::exception& ex) {
          s.error = ex.what();
        }
        continue;
      }
    } else {
      b = s.q->pop();
    }
    if (!b) break;
    if (!s.error.empty()) continue;  // keep draining so producers never block
    try {
      s.c->take(**b);
      SharedBatch more;
      while (s.q->try_pop(more)) s.c->take(*more);
      s.c->idle();
    } catch (const std::exception& ex) {
      s.error = ex.what();
    }
  }
}

void FanOut::close_input() {
  if (input_closed_) return;
  input_closed_ = true;
  for (auto& s : slots_) s->q->close();
}

std::string FanOut::join(const BatchConsumer* c) {
  close_input();
  for (auto& s : slots_) {
    if (s->c != c) continue;
    if (s->t.joinable()) s->t.join();
    return s->error;
  }
  return "";
}

std::string FanOut::close() {
  close_input();
  for (auto& s : slots_) {
    if (s->t.joinable()) s->t.join();
  }
  for (auto& s : slots_) {
    if (!s->error.empty()) return s->error;
  }
  return "";
}

}  // namespace ms
