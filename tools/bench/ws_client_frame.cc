#include "ws_client_frame.h"

#include <cstring>

namespace asobi::bench {

void MaskBytes(char* p, size_t n, uint32_t mask_key) {
  unsigned char k[4];
  std::memcpy(k, &mask_key, 4);
  uint64_t k8;
  std::memcpy(&k8, k, 4);
  std::memcpy(reinterpret_cast<char*>(&k8) + 4, k, 4);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    w ^= k8;
    std::memcpy(p + i, &w, 8);
  }
  for (; i < n; ++i) p[i] = char(static_cast<unsigned char>(p[i]) ^ k[i & 3]);
}

void AppendMaskedFrameParts(uint8_t opcode, const std::string_view* parts, size_t n_parts,
                            uint32_t mask_key, std::string* out) {
  size_t len = 0;
  for (size_t i = 0; i < n_parts; ++i) len += parts[i].size();
  unsigned char hdr[14];
  size_t h = 0;
  hdr[h++] = static_cast<unsigned char>(0x80 | (opcode & 0x0F));
  if (len < 126) {
    hdr[h++] = static_cast<unsigned char>(0x80 | len);
  } else if (len <= 0xFFFF) {
    hdr[h++] = 0x80 | 126;
    hdr[h++] = static_cast<unsigned char>(len >> 8);
    hdr[h++] = static_cast<unsigned char>(len);
  } else {
    hdr[h++] = 0x80 | 127;
    for (int s = 56; s >= 0; s -= 8) hdr[h++] = static_cast<unsigned char>(uint64_t(len) >> s);
  }
  std::memcpy(hdr + h, &mask_key, 4);
  h += 4;
  size_t start = out->size();
  out->resize(start + h + len);
  char* p = out->data() + start;
  std::memcpy(p, hdr, h);
  char* body = p + h;
  for (size_t i = 0; i < n_parts; ++i) {
    if (parts[i].empty()) continue;  // data() may be null
    std::memcpy(body, parts[i].data(), parts[i].size());
    body += parts[i].size();
  }
  MaskBytes(p + h, len, mask_key);
}

void AppendMaskedClose(uint16_t code, std::string_view reason, uint32_t mask_key,
                       std::string* out) {
  char code_be[2] = {char(code >> 8), char(code & 0xFF)};
  std::string_view parts[2] = {std::string_view(code_be, 2), reason.substr(0, 123)};
  AppendMaskedFrameParts(kOpClose, parts, 2, mask_key, out);
}

FrameParse ParseServerFrame(std::string_view data, uint64_t payload_bytes_max, ServerFrame* frame,
                            size_t* frame_bytes) {
  if (data.size() < 2) return FrameParse::kNeedMore;
  auto b = [&](size_t i) { return static_cast<unsigned char>(data[i]); };
  unsigned char b0 = b(0), b1 = b(1);
  if ((b0 & 0x70) != 0) return FrameParse::kBad;  // RSV1-3: no extension negotiated
  if ((b1 & 0x80) != 0) return FrameParse::kBad;  // a server must not mask
  uint8_t opcode = b0 & 0x0F;
  bool fin = (b0 & 0x80) != 0;
  bool control = (opcode & 0x08) != 0;
  if ((opcode > kOpBinary && opcode < kOpClose) || opcode > kOpPong) return FrameParse::kBad;
  uint64_t len = b1 & 0x7F;
  size_t h = 2;
  if (len == 126) {
    if (data.size() < 4) return FrameParse::kNeedMore;
    len = (uint64_t(b(2)) << 8) | b(3);
    h = 4;
  } else if (len == 127) {
    if (data.size() < 10) return FrameParse::kNeedMore;
    len = 0;
    for (size_t i = 2; i < 10; ++i) len = (len << 8) | b(i);
    if (len >> 63) return FrameParse::kBad;
    h = 10;
  }
  if (control && (!fin || len > 125)) return FrameParse::kBad;
  if (len > payload_bytes_max) return FrameParse::kBad;
  if (data.size() - h < len) return FrameParse::kNeedMore;
  frame->opcode = opcode;
  frame->fin = fin;
  frame->payload = data.substr(h, size_t(len));
  *frame_bytes = h + size_t(len);
  return FrameParse::kFrame;
}

}  // namespace asobi::bench
