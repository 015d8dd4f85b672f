// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/subjects/attribute_key_ring.h"

#include <array>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"

#include "subjects/key_file.h"
#include "subjects/sealing_primitives.h"

namespace relais::subjects {

using common::toHex;
using detail::allZero;
using detail::bytesOf;
using detail::encryptWith;
using detail::fitsInt;
using detail::KeyBytes;
using detail::kOverhead;
using detail::readKeyFile;
using detail::refuse;
using detail::validKeyId;
using detail::WipeOnExit;

namespace {

// One key and the cipher contexts already keyed with it.
struct Slot {
    Slot() = default;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() {
        // EVP_CIPHER_CTX_free wipes the key schedule each context holds.
        for (EVP_CIPHER_CTX* ctx : idle) EVP_CIPHER_CTX_free(ctx);
        OPENSSL_cleanse(bytes.data(), bytes.size());
    }

    std::string id;
    KeyBytes bytes{};
    std::mutex mutex;                   // guards `idle`
    std::vector<EVP_CIPHER_CTX*> idle;  // owned; keyed with `bytes`, free to borrow
};

// Beyond this many idle contexts per key (more threads than that sealing or opening at the
// same instant), extra ones are freed instead of kept.
constexpr std::size_t kMaxIdleContexts = 64;

struct CipherDeleter {
    void operator()(EVP_CIPHER* cipher) const noexcept { EVP_CIPHER_free(cipher); }
};

}  // namespace

struct KeyRing::State {
    // A fixed array allocated once: a vector could reallocate and leave unwiped copies of
    // the keys behind.
    std::unique_ptr<Slot[]> slots;
    std::size_t count = 0;
    Slot* current = nullptr;
    // Fetched once: an implicit fetch (EVP_aes_256_gcm()) costs a provider lookup per init.
    std::unique_ptr<EVP_CIPHER, CipherDeleter> cipher;

    Slot* find(std::string_view key_id) const noexcept {
        for (std::size_t i = 0; i < count; ++i) {
            if (slots[i].id == key_id) return &slots[i];
        }
        return nullptr;
    }
};

namespace {

// A context borrowed from a slot's pool for one call, given back on destruction unless
// the call failed in a way that may have left it in an odd state.
class Lease {
public:
    Lease(Slot& slot, const EVP_CIPHER* cipher) : slot_(slot) {
        {
            const std::lock_guard lock(slot_.mutex);
            if (!slot_.idle.empty()) {
                ctx_ = slot_.idle.back();
                slot_.idle.pop_back();
            }
        }
        if (ctx_ != nullptr) return;
        // Keyed without an IV: each use sets its own IV and direction.
        ctx_ = EVP_CIPHER_CTX_new();
        if (ctx_ != nullptr &&
            EVP_DecryptInit_ex2(ctx_, cipher, slot_.bytes.data(), nullptr, nullptr) != 1) {
            EVP_CIPHER_CTX_free(ctx_);
            ctx_ = nullptr;
        }
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
        if (ctx_ == nullptr) return;
        if (!discard_) {
            const std::lock_guard lock(slot_.mutex);
            if (slot_.idle.size() < kMaxIdleContexts) {
                slot_.idle.push_back(ctx_);
                return;
            }
        }
        EVP_CIPHER_CTX_free(ctx_);
    }

    /// Null when OpenSSL could not set up a context (allocation failure).
    EVP_CIPHER_CTX* get() const noexcept { return ctx_; }
    void discard() noexcept { discard_ = true; }

private:
    Slot& slot_;
    EVP_CIPHER_CTX* ctx_ = nullptr;
    bool discard_ = false;
};

}  // namespace

KeyRing::KeyRing(std::unique_ptr<State> state) noexcept
    : state_(std::move(state)), current_id_(state_->current->id) {}

KeyRing KeyRing::load(const std::vector<KeySpec>& keys, const std::string& current_id) {
    if (keys.empty()) throw ConfigError("key ring: no key configured");
    auto state = std::make_unique<State>();
    state->cipher.reset(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
    if (!state->cipher) throw ConfigError("key ring: OpenSSL provides no AES-256-GCM cipher");
    // Slots wipe their key on destruction, so a failure half-way leaves nothing behind.
    state->slots = std::make_unique<Slot[]>(keys.size());
    for (const KeySpec& spec : keys) {
        if (!validKeyId(spec.id)) {
            throw ConfigError("key id '" + spec.id + "' (file '" + spec.file +
                              "'): expected 1 to 64 characters among A-Z a-z 0-9 . _ -");
        }
        if (state->find(spec.id) != nullptr) {
            throw ConfigError("key id '" + spec.id + "' is listed twice (file '" + spec.file +
                              "')");
        }
        Slot& slot = state->slots[state->count++];
        slot.id = spec.id;
        readKeyFile(spec, slot.bytes);
        if (allZero(slot.bytes)) refuse(spec, "the key is all zeros, a placeholder");
        // Reserved now so that giving a context back never allocates.
        slot.idle.reserve(kMaxIdleContexts);
    }
    state->current = state->find(current_id);
    if (state->current == nullptr) {
        throw ConfigError("key ring: the current key '" + current_id +
                          "' is not one of the configured keys");
    }
    return KeyRing(std::move(state));
}

KeyRing::KeyRing(KeyRing&& other) noexcept
    : state_(std::move(other.state_)), current_id_(std::move(other.current_id_)) {
    other.current_id_.clear();
}

KeyRing& KeyRing::operator=(KeyRing&& other) noexcept {
    if (this != &other) {
        state_ = std::move(other.state_);
        current_id_ = std::move(other.current_id_);
        other.current_id_.clear();
    }
    return *this;
}

KeyRing::~KeyRing() = default;

bool KeyRing::hasKey(std::string_view key_id) const noexcept {
    return state_ != nullptr && state_->find(key_id) != nullptr;
}

Sealed KeyRing::seal(std::string_view plaintext, std::string_view aad) const {
    if (state_ == nullptr) throw std::logic_error("KeyRing::seal on an empty (moved-from) ring");
    std::array<unsigned char, detail::kSealIvSize> iv{};
    if (RAND_bytes(iv.data(), static_cast<int>(iv.size())) != 1) {
        throw std::runtime_error("the system random number generator failed");
    }
    Slot& slot = *state_->current;
    Lease lease(slot, state_->cipher.get());
    if (lease.get() == nullptr) throw std::runtime_error("OpenSSL: cannot set up AES-256-GCM");
    try {
        return Sealed{slot.id, encryptWith(lease.get(), iv.data(), plaintext, aad)};
    } catch (...) {
        lease.discard();
        throw;
    }
}

sdk::Result<std::string> KeyRing::open(std::string_view key_id, std::string_view sealed,
                                       std::string_view aad) const {
    Slot* slot = state_ == nullptr ? nullptr : state_->find(key_id);
    if (slot == nullptr) {
        return sdk::fail(sdk::ErrorCode::NotFound,
                         "sealed value: no key '" + std::string(key_id) + "' in the key ring",
                         "key_id");
    }
    if (sealed.size() < kOverhead) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "sealed value: " + std::to_string(sealed.size()) +
                             " bytes, shorter than the " + std::to_string(kOverhead) +
                             "-byte minimum");
    }
    if (static_cast<unsigned char>(sealed[0]) != detail::kSealVersion) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "sealed value: unknown format version " +
                             std::to_string(static_cast<unsigned char>(sealed[0])));
    }
    if (!fitsInt(sealed) || !fitsInt(aad)) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument,
                         "sealed value: value or AAD larger than 2 GiB");
    }
    const unsigned char* const iv = bytesOf(sealed) + detail::kSealVersionSize;
    const std::string_view body =
        sealed.substr(detail::kSealVersionSize + detail::kSealIvSize, sealed.size() - kOverhead);
    // EVP_CTRL_GCM_SET_TAG takes a non-const pointer.
    std::array<unsigned char, detail::kSealTagSize> tag{};
    std::memcpy(tag.data(), sealed.data() + sealed.size() - tag.size(), tag.size());

    std::string plaintext(body.size(), '\0');
    Lease lease(*slot, state_->cipher.get());
    EVP_CIPHER_CTX* const ctx = lease.get();
    int length = 0;
    int written = 0;
    // Cipher and key NULL: keep the key schedule, set this value's IV.
    bool ok = ctx != nullptr && EVP_DecryptInit_ex2(ctx, nullptr, nullptr, iv, nullptr) == 1;
    if (ok && !aad.empty()) {
        ok = EVP_DecryptUpdate(ctx, nullptr, &length, bytesOf(aad), static_cast<int>(aad.size())) ==
             1;
    }
    if (ok && !body.empty()) {
        ok = EVP_DecryptUpdate(ctx, bytesOf(plaintext), &written, bytesOf(body),
                               static_cast<int>(body.size())) == 1;
    }
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()),
                                   tag.data()) == 1;
    if (!ok) {
        lease.discard();
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        return sdk::fail(sdk::ErrorCode::Internal, "sealed value: OpenSSL decryption failed");
    }
    // The tag is checked here: until this succeeds, `plaintext` is not to be trusted. A
    // context whose check failed is reused: the next use sets a new IV, which resets it.
    if (EVP_DecryptFinal_ex(ctx, bytesOf(plaintext) + written, &length) != 1 ||
        static_cast<std::size_t>(written) + static_cast<std::size_t>(length) != body.size()) {
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        return sdk::fail(sdk::ErrorCode::Internal,
                         "sealed value: integrity check failed (altered bytes, another row's "
                         "value or another key)");
    }
    return plaintext;
}

std::string KeyRing::generateKeyHex() {
    KeyBytes key{};
    const WipeOnExit wipe_key(key);
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        throw std::runtime_error("the system random number generator failed");
    }
    return toHex(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

}  // namespace relais::subjects
