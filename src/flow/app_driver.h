// Internal to the flow stage: binds one direction of one flow to the stream
// sink (reassembled bytes in) and the dissector context (events out).
#pragma once

#include "flow/flow_engine.h"

namespace ms {

class FlowEngine::Driver final : public StreamSink, public AppContext {
 public:
  Driver(FlowEngine* e, Flow* f, int dir) : e_(e), f_(f), dir_(dir) {}

  void stream_data(Bytes data) override { e_->app_data(f_, dir_, data); }
  void stream_gap(uint64_t len) override { e_->app_gap(f_, dir_, len); }
  void stream_anomaly(const char* reason) override { e_->flow_anomaly(f_, "stream", reason); }

  Envelope envelope() const override { return e_->envelope_of(*f_, e_->now_); }
  TimeNs now() const override { return e_->now_; }
  bool midstream() const override { return f_->midstream; }
  void emit(Event&& ev) override { e_->sink_.emit(std::move(ev)); }
  void anomaly(const char* reason) override { e_->flow_anomaly(f_, "applayer", reason); }
  std::string phi(std::string_view kind, std::string_view value) const override {
    if (value.empty()) return "";
    return e_->cfg_.phi ? e_->cfg_.phi->token(kind, value) : "phi:redacted";
  }

 private:
  FlowEngine* e_;
  Flow* f_;
  int dir_;
};

}  // namespace ms
