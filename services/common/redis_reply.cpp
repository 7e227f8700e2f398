// Owned replies, scripts' SHA1 and the reply guard shared by all Redis callers.
#include <openssl/evp.h>

#include <charconv>

#include "matching/error.hpp"
#include "services/common/redis.hpp"

namespace sangdam::redis {

namespace {
[[noreturn]] void throw_unexpected(const Reply& reply, std::string_view wanted) {
  std::string got = reply.is_error() ? "error reply: " + reply.str : "another reply type";
  throw Error(ErrorCode::kInternal, "redis_unexpected_reply",
              "redis: expected " + std::string(wanted) + ", got " + got);
}
}  // namespace

const std::string& Reply::as_string() const {
  if (type != Type::kString && type != Type::kStatus) throw_unexpected(*this, "a string");
  return str;
}

long long Reply::as_integer() const {
  if (type == Type::kInteger) return integer;
  if (type == Type::kString) {
    long long value = 0;
    auto [end, ec] = std::from_chars(str.data(), str.data() + str.size(), value);
    if (ec == std::errc() && end == str.data() + str.size() && !str.empty()) return value;
  }
  throw_unexpected(*this, "an integer");
}

Script::Script(std::string source) : source_(std::move(source)) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(source_.data(), source_.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    throw Error(ErrorCode::kInternal, "sha1_failed", "OpenSSL could not compute a SHA1");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  sha1_.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    sha1_.push_back(kHex[digest[i] >> 4]);
    sha1_.push_back(kHex[digest[i] & 0xf]);
  }
}

const Reply& expect_ok(const Reply& reply, std::string_view what) {
  if (reply.is_error()) {
    throw Error(ErrorCode::kInternal, "redis_error_reply",
                "redis: " + std::string(what) + " failed: " + reply.str);
  }
  return reply;
}

}  // namespace sangdam::redis
