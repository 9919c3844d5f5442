// The hl7 event's struct and its JSON (hl7_events.h, hl7_log.cc): a message
// answered by its ACK, and a lone ACK.
#include <gtest/gtest.h>

#include "dissectors/hl7/hl7_events.h"

namespace {

using ms::hl7::Hl7Event;

TEST(Hl7Event, JsonOfAnAnsweredMessageAndOfAnAck) {
  auto h = std::make_unique<Hl7Event>();
  h->message_type = "RDE";
  h->trigger_event = "O11";
  h->sending_application = "PHARM";
  h->segments = {"MSH", "PID", "RXE"};
  h->segment_count = 4;
  h->answered = true;
  h->ack.code = "AE";
  h->ack.latency_ms = 1.5;
  h->phi = true;
  h->patient_ids = {"phi:0011223344556677"};
  ms::Envelope env;
  ms::Event e = ms::make_event(env, "hl7", std::move(h));
  EXPECT_NE(e.json.find(R"("hl7":{"framing":"mllp","message_type":"RDE","trigger_event":"O11","sending_application":"PHARM",)"
                        R"("segments":["MSH","PID","RXE"],"segment_count":4,"ack":{"code":"AE","status":"error","latency_ms":1.5},)"
                        R"("phi":true,"patient_ids":["phi:0011223344556677"]}})"),
            std::string::npos)
      << e.json;
  ASSERT_NE(e.as<Hl7Event>(), nullptr);
  EXPECT_EQ(e.as<Hl7Event>()->message_type, "RDE");

  auto a = std::make_unique<Hl7Event>();
  a->mllp = false;
  a->message_type = "ACK";
  a->ack_code = "AA";
  a->acknowledges = "42";
  ms::Event ack = ms::make_event(env, "hl7", std::move(a));
  EXPECT_NE(ack.json.find(R"("hl7":{"framing":"raw","message_type":"ACK","segments":[],"segment_count":0,"ack_code":"AA",)"
                          R"("ack_status":"accepted","acknowledges":"42","phi":false}})"),
            std::string::npos)
      << ack.json;
  EXPECT_TRUE(ack.as<Hl7Event>()->is_ack());
}

}  // namespace
