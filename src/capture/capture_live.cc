// Live capture: AF_PACKET, TPACKET_V3 receive rings (capture_live.h).
// The ring protocol is the kernel's: a block belongs to user space while
// its block_status has TP_STATUS_USER and is given back by writing
// TP_STATUS_KERNEL (Documentation/networking/packet_mmap.rst, "TPACKET_V3").
#include "capture/capture_live.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <pcap/pcap.h>

namespace ms {

struct LiveCapture::Ring {
  int fd = -1;
  std::string name;
  uint8_t* map = nullptr;
  size_t map_len = 0;
  uint32_t block_size = 0, block_count = 0;
  uint32_t cur = 0;                  // the block being read, or to be read next
  tpacket_block_desc* open = nullptr;  // the block handed to us, while in use
  uint32_t left = 0;                 // its packets not yet read
  uint8_t* pkt = nullptr;            // the next one
};

namespace {

[[noreturn]] void fail(const std::string& iface, const std::string& what) {
  throw CaptureError(iface + ": " + what + ": " + std::strerror(errno));
}

// Ethernet-framed interfaces only (a SPAN port, a TAP, a veth, loopback):
// the decoder is told DLT_EN10MB.
void check_link(int fd, const std::string& iface) {
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, iface.c_str(), iface.size());
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) fail(iface, "cannot read the interface's link type");
  int t = ifr.ifr_hwaddr.sa_family;
  if (t != ARPHRD_ETHER && t != ARPHRD_LOOPBACK) {
    errno = 0;
    throw CaptureError(iface + ": link type " + std::to_string(t) +
                       " is not Ethernet; medsentry monitor captures Ethernet interfaces (a SPAN port or a TAP)");
  }
}

// The filter compiled by libpcap for Ethernet frames, attached to the
// socket before it is bound, so no unfiltered packet is ever queued.
void attach_filter(int fd, const std::string& iface, const std::string& expr, uint32_t snaplen) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, static_cast<int>(snaplen));
  if (!dead) throw CaptureError("--bpf: libpcap cannot compile filters");
  bpf_program prog{};
  if (pcap_compile(dead, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    std::string msg = "--bpf: '" + expr + "': " + pcap_geterr(dead);
    pcap_close(dead);
    throw CaptureError(msg);
  }
  sock_fprog fp{};
  fp.len = static_cast<unsigned short>(prog.bf_len);
  fp.filter = reinterpret_cast<sock_filter*>(prog.bf_insns);
  int rc = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp);
  pcap_freecode(&prog);
  pcap_close(dead);
  if (rc != 0) fail(iface, "cannot attach the filter");
}

LiveCapture::Ring* open_ring(const std::string& iface, const LiveOptions& opt) {
  if (iface.empty() || iface.size() >= IFNAMSIZ) throw CaptureError("'" + iface + "': not an interface name");
  unsigned ifindex = if_nametoindex(iface.c_str());
  if (ifindex == 0) fail(iface, "no such interface");
  // Protocol 0: the socket receives nothing until bind() below.
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) fail(iface, "cannot open a packet socket (needs root or CAP_NET_RAW)");
  auto* r = new LiveCapture::Ring;
  r->fd = fd;
  r->name = iface;
  try {
    check_link(fd, iface);
    if (!opt.bpf.empty()) attach_filter(fd, iface, opt.bpf, opt.snaplen);
    int v = TPACKET_V3;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) != 0) fail(iface, "TPACKET_V3 not supported");
    tpacket_req3 req{};
    req.tp_block_size = opt.block_size;
    req.tp_block_nr = opt.block_count;
    req.tp_frame_size = 2048;  // only a unit of accounting in V3: frames are packed
    req.tp_frame_nr = opt.block_size / req.tp_frame_size * opt.block_count;
    req.tp_retire_blk_tov = opt.block_timeout_ms;
    // Receive ring only (PACKET_RX_RING): no PACKET_TX_RING is ever set up.
    if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0) fail(iface, "cannot set up the ring");
    r->block_size = opt.block_size;
    r->block_count = opt.block_count;
    r->map_len = static_cast<size_t>(opt.block_size) * opt.block_count;
    void* m = mmap(nullptr, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) fail(iface, "cannot map the ring");
    r->map = static_cast<uint8_t*>(m);
    packet_mreq mr{};
    mr.mr_ifindex = static_cast<int>(ifindex);
    mr.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0) fail(iface, "cannot enter promiscuous mode");
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = static_cast<int>(ifindex);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) fail(iface, "cannot bind");
  } catch (...) {
    if (r->map) munmap(r->map, r->map_len);
    close(fd);
    delete r;
    throw;
  }
  return r;
}

}  // namespace

LiveCapture::LiveCapture(const LiveOptions& opt) : opt_(opt) {
  if (opt.interfaces.empty()) throw CaptureError("monitor needs an interface (-i IFACE)");
  try {
    for (const std::string& i : opt.interfaces) {
      rings_.push_back(open_ring(i, opt));
      stats_.push_back(LiveIfStats{i});
    }
  } catch (...) {
    for (Ring* r : rings_) {
      munmap(r->map, r->map_len);
      close(r->fd);
      delete r;
    }
    throw;
  }
  scratch_.resize(opt.snaplen + 8);
}

LiveCapture::~LiveCapture() {
  for (Ring* r : rings_) {
    munmap(r->map, r->map_len);
    close(r->fd);  // leaves promiscuous mode: the membership belongs to the socket
    delete r;
  }
}

void LiveCapture::release(Ring& r) {
  if (!r.open) return;
  // Everything read from the block is done with: give it back.
  __atomic_store_n(&r.open->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  r.open = nullptr;
  r.left = 0;
  r.cur = (r.cur + 1) % r.block_count;
}

bool LiveCapture::next_in(Ring& r, RawPacket& out) {
  if (r.open && r.left == 0) release(r);
  if (!r.open) {
    auto* bd = reinterpret_cast<tpacket_block_desc*>(r.map + static_cast<size_t>(r.cur) * r.block_size);
    if ((__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0) return false;
    r.open = bd;
    r.left = bd->hdr.bh1.num_pkts;
    r.pkt = reinterpret_cast<uint8_t*>(bd) + bd->hdr.bh1.offset_to_first_pkt;
    if (r.left == 0) return false;  // released on the next call
  }
  uint8_t* block = reinterpret_cast<uint8_t*>(r.open);
  auto* h = reinterpret_cast<tpacket3_hdr*>(r.pkt);
  // The kernel wrote these offsets; a block is still never read past its end.
  size_t off = static_cast<size_t>(r.pkt - block);
  if (off + sizeof(tpacket3_hdr) > r.block_size || off + h->tp_mac + h->tp_snaplen > r.block_size) {
    r.left = 0;
    return false;
  }
  --r.left;
  r.pkt += h->tp_next_offset;
  const uint8_t* data = r.pkt - h->tp_next_offset + h->tp_mac;
  out.ts = static_cast<TimeNs>(h->tp_sec) * kNsPerSec + h->tp_nsec;
  out.data = data;
  out.caplen = h->tp_snaplen;
  out.wirelen = h->tp_len < h->tp_snaplen ? h->tp_snaplen : h->tp_len;
  out.linktype = DLT_EN10MB;
  if ((h->tp_status & TP_STATUS_VLAN_VALID) && out.caplen >= 12 && out.caplen + 4 <= scratch_.size()) {
    // The NIC or the kernel took the 802.1Q tag off (packet(7), tp_vlan_tci):
    // put it back where it was on the wire.
    uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : ETH_P_8021Q;
    uint16_t tci = h->hv1.tp_vlan_tci;
    std::memcpy(scratch_.data(), data, 12);
    scratch_[12] = static_cast<uint8_t>(tpid >> 8);
    scratch_[13] = static_cast<uint8_t>(tpid);
    scratch_[14] = static_cast<uint8_t>(tci >> 8);
    scratch_[15] = static_cast<uint8_t>(tci);
    std::memcpy(scratch_.data() + 16, data + 12, out.caplen - 12);
    out.data = scratch_.data();
    out.caplen += 4;
    out.wirelen += 4;
  }
  return true;
}

bool LiveCapture::next(RawPacket& out, int timeout_ms) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (size_t k = 0; k < rings_.size(); ++k) {
      size_t i = (turn_ + k) % rings_.size();
      if (next_in(*rings_[i], out)) {
        out.file = static_cast<int>(i);
        // Round robin by block: stay on this ring while its block lasts.
        if (rings_[i]->left == 0) turn_ = i + 1;
        return true;
      }
    }
    if (attempt == 1) break;
    std::vector<pollfd> fds(rings_.size());
    for (size_t i = 0; i < rings_.size(); ++i) fds[i] = pollfd{rings_[i]->fd, POLLIN, 0};
    int n = poll(fds.data(), fds.size(), timeout_ms);
    if (n <= 0) return false;  // timeout, or a signal
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents & POLLERR) {
        // An interface that went down (a SPAN cable pulled): clear the
        // error and keep listening; it comes back with the link.
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fds[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
      }
    }
  }
  return false;
}

const std::vector<LiveIfStats>& LiveCapture::poll_stats() {
  for (size_t i = 0; i < rings_.size(); ++i) {
    tpacket_stats_v3 st{};
    socklen_t len = sizeof st;
    if (getsockopt(rings_[i]->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) continue;
    stats_[i].packets += st.tp_packets;
    stats_[i].drops += st.tp_drops;
    stats_[i].freeze_q += st.tp_freeze_q_cnt;
  }
  return stats_;
}

}  // namespace ms
