#include <catch2/catch.hpp>

#include <string>

#include "matching/error.hpp"
#include "matching/webhook/secret_box.hpp"

using namespace sangdam::webhook;

namespace {
const std::string kKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
}

TEST_CASE("secret box: a sealed secret opens with its key and binding only") {
  const SecretKey key = parse_secret_key(kKeyHex);
  Nonce nonce{};
  nonce[0] = 7;
  const std::string secret = "whsec_" + std::string(64, 'a');
  const std::string sealed = seal(key, nonce, secret, "ev_1/wh_1");
  CHECK(is_sealed(sealed));
  CHECK_FALSE(is_sealed(secret));
  CHECK(sealed.find(secret) == std::string::npos);
  // prefix + hex of 12-byte nonce, the ciphertext and a 16-byte tag
  CHECK(sealed.size() == kSealedPrefix.size() + 2 * (12 + secret.size() + 16));
  CHECK(open(key, sealed, "ev_1/wh_1") == secret);

  CHECK_FALSE(open(key, sealed, "ev_1/wh_2").has_value());  // moved to another webhook
  SecretKey other = key;
  other[31] ^= 1;
  CHECK_FALSE(open(other, sealed, "ev_1/wh_1").has_value());
  std::string altered = sealed;
  altered[kSealedPrefix.size() + 30] = altered[kSealedPrefix.size() + 30] == '0' ? '1' : '0';
  CHECK_FALSE(open(key, altered, "ev_1/wh_1").has_value());
  CHECK_FALSE(open(key, sealed.substr(0, 40), "ev_1/wh_1").has_value());
  CHECK_FALSE(open(key, std::string(kSealedPrefix) + "zz", "ev_1/wh_1").has_value());
  CHECK_FALSE(open(key, secret, "ev_1/wh_1").has_value());

  Nonce another = nonce;
  another[11] = 1;
  CHECK(seal(key, another, secret, "ev_1/wh_1") != sealed);  // the nonce makes every seal new
}

TEST_CASE("secret box: the key is 64 hex digits") {
  CHECK(parse_secret_key(kKeyHex)[31] == 0x1f);
  for (const std::string& bad :
       {std::string(), std::string(62, 'a'), std::string(66, 'a'), std::string(63, 'a') + "g"}) {
    try {
      parse_secret_key(bad);
      FAIL("accepted a bad key");
    } catch (const sangdam::Error& e) {
      CHECK(e.reason() == "invalid_secret_key");
      CHECK(e.field() == "webhooks.secret_key");
    }
  }
}
