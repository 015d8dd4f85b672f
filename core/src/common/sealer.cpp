// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/common/sealer.h"

#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"

namespace relais::common {
namespace {

constexpr std::size_t kKeySize = 32;
constexpr std::size_t kOverhead =
    detail::kSealVersionSize + detail::kSealIvSize + detail::kSealTagSize;
// Largest key file worth reading: 64 hex characters and some trailing white space.
constexpr std::size_t kMaxKeyFileSize = 128;
constexpr std::size_t kMaxKeyIdSize = 64;

using KeyBytes = std::array<unsigned char, kKeySize>;

// Wipes a buffer that held key material on every way out of a scope.
template <typename Buffer>
class WipeOnExit {
public:
    explicit WipeOnExit(Buffer& buffer) noexcept : buffer_(buffer) {}
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;
    ~WipeOnExit() { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }

private:
    Buffer& buffer_;
};

struct ContextDeleter {
    void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using Context = std::unique_ptr<EVP_CIPHER_CTX, ContextDeleter>;

const unsigned char* bytesOf(std::string_view text) noexcept {
    return reinterpret_cast<const unsigned char*>(text.data());
}

unsigned char* bytesOf(std::string& text) noexcept {
    return reinterpret_cast<unsigned char*>(text.data());
}

Context newContext() {
    Context ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw std::runtime_error("OpenSSL: cannot allocate a cipher context");
    return ctx;
}

// OpenSSL lengths are ints; attribute values are far smaller, but check rather than wrap.
bool fitsInt(std::string_view text) noexcept {
    return text.size() <= static_cast<std::size_t>(INT_MAX) - kOverhead;
}

// Returns version || iv || ciphertext || tag, encrypting with `ctx`, already keyed. Throws
// std::runtime_error when OpenSSL fails (an allocation failure or a broken provider: not a
// property of the input); `ctx` must not be reused then.
std::string encryptWith(EVP_CIPHER_CTX* ctx, const unsigned char* iv, std::string_view plaintext,
                        std::string_view aad) {
    if (!fitsInt(plaintext) || !fitsInt(aad)) {
        throw std::length_error("sealer: value or AAD larger than 2 GiB");
    }
    std::string out(kOverhead + plaintext.size(), '\0');
    unsigned char* const head = bytesOf(out);
    head[0] = detail::kSealVersion;
    std::memcpy(head + detail::kSealVersionSize, iv, detail::kSealIvSize);
    unsigned char* const body = head + detail::kSealVersionSize + detail::kSealIvSize;
    unsigned char* const tag = body + plaintext.size();

    int length = 0;
    // Cipher and key NULL: keep the key schedule, set a new IV (documented reuse).
    bool ok = EVP_EncryptInit_ex2(ctx, nullptr, nullptr, iv, nullptr) == 1;
    if (ok && !aad.empty()) {
        ok = EVP_EncryptUpdate(ctx, nullptr, &length, bytesOf(aad), static_cast<int>(aad.size())) ==
             1;
    }
    int written = 0;
    if (ok && !plaintext.empty()) {
        ok = EVP_EncryptUpdate(ctx, body, &written, bytesOf(plaintext),
                               static_cast<int>(plaintext.size())) == 1;
    }
    ok = ok && EVP_EncryptFinal_ex(ctx, body + written, &length) == 1 &&
         static_cast<std::size_t>(written) + static_cast<std::size_t>(length) == plaintext.size() &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(detail::kSealTagSize),
                             tag) == 1;
    if (!ok) {
        OPENSSL_cleanse(out.data(), out.size());
        throw std::runtime_error("OpenSSL: AES-256-GCM encryption failed");
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Key files

[[noreturn]] void refuse(const KeySpec& spec, const std::string& what) {
    throw ConfigError("key '" + spec.id + "' (file '" + spec.file + "'): " + what);
}

bool isKeyIdChar(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

bool validKeyId(std::string_view id) noexcept {
    if (id.empty() || id.size() > kMaxKeyIdSize) return false;
    for (const char c : id) {
        if (!isKeyIdChar(c)) return false;
    }
    return true;
}

int hexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool allHex(std::string_view text) noexcept {
    for (const char c : text) {
        if (hexValue(c) < 0) return false;
    }
    return true;
}

// Closes a descriptor on scope exit.
class Fd {
public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

// Reads, checks and decodes one key file into `key`. Every buffer that held key material
// is wiped before returning or throwing.
void readKeyFile(const KeySpec& spec, KeyBytes& key) {
    const Fd fd(::open(spec.file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) {
        const int error = errno;
        refuse(spec, error == ENOENT
                         ? std::string("file does not exist")
                         : std::string("cannot open: ") + std::generic_category().message(error));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        const int error = errno;
        refuse(spec, std::string("cannot stat: ") + std::generic_category().message(error));
    }
    if (!S_ISREG(st.st_mode)) refuse(spec, "not a regular file");
    // Checked on the opened file (fstat), so a symlink is judged by its target and there is
    // no window between the check and the read.
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        refuse(spec, std::string("mode ") + mode +
                         " lets group or others access it; a key file must be private to the "
                         "service account (chmod 600 or 400)");
    }

    std::array<char, kMaxKeyFileSize + 1> buffer{};
    const WipeOnExit wipe_buffer(buffer);
    std::size_t size = 0;
    while (size < buffer.size()) {
        const ssize_t n = ::read(fd.get(), buffer.data() + size, buffer.size() - size);
        if (n < 0) {
            const int error = errno;
            if (error == EINTR) continue;
            refuse(spec, std::string("cannot read: ") + std::generic_category().message(error));
        }
        if (n == 0) break;
        size += static_cast<std::size_t>(n);
    }
    const std::string expected =
        "expected 64 hex characters, 44 base64 characters or exactly 32 raw bytes";
    if (size > kMaxKeyFileSize) refuse(spec, "file too long; " + expected);

    std::string_view content(buffer.data(), size);
    if (size == kKeySize) {
        // 32 bytes that are all hex digits are a 128-bit hex key given by mistake, not 256
        // random bits (the odds of a random key being all hex digits are about 10^-34).
        if (allHex(content)) {
            refuse(spec,
                   "holds 32 hex characters, a 128-bit key; AES-256 needs 64 hex "
                   "characters (32 bytes)");
        }
        std::memcpy(key.data(), content.data(), kKeySize);
        return;
    }
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r' ||
                                content.back() == ' ' || content.back() == '\t')) {
        content.remove_suffix(1);
    }
    if (content.size() == 2 * kKeySize && allHex(content)) {
        for (std::size_t i = 0; i < kKeySize; ++i) {
            key[i] = static_cast<unsigned char>((hexValue(content[2 * i]) << 4) |
                                                hexValue(content[2 * i + 1]));
        }
        return;
    }
    if (content.size() == 44 && content[43] == '=' && content[42] != '=') {
        std::array<unsigned char, 33> decoded{};
        const WipeOnExit wipe_decoded(decoded);
        // EVP_DecodeBlock rejects characters outside the alphabet; 44 characters with one
        // '=' decode to exactly 32 bytes (it writes 33, the last one for the padding).
        if (EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(content.data()),
                            static_cast<int>(content.size())) == 33) {
            std::memcpy(key.data(), decoded.data(), kKeySize);
            return;
        }
        refuse(spec, "44 characters but not valid base64; " + expected);
    }
    if (content.size() == 2 * kKeySize) refuse(spec, "64 characters but not hex; " + expected);
    refuse(spec, "has " + std::to_string(size) + " bytes; " + expected);
}

bool allZero(const KeyBytes& key) noexcept {
    unsigned char any = 0;
    for (const unsigned char b : key) any |= b;
    return any == 0;
}

}  // namespace

std::string attributeAad(std::string_view subject_id, std::string_view attribute) {
    std::string aad;
    aad.reserve(subject_id.size() + 1 + attribute.size());
    aad.append(subject_id).append(1, '\x1f').append(attribute);
    return aad;
}

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

namespace detail {

std::string sealWithIv(std::string_view key, std::string_view iv, std::string_view plaintext,
                       std::string_view aad) {
    if (key.size() != kKeySize || iv.size() != kSealIvSize) {
        throw std::invalid_argument("sealWithIv: the key must be 32 bytes and the IV 12 bytes");
    }
    const Context ctx = newContext();
    if (EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), bytesOf(key), nullptr, nullptr) != 1) {
        throw std::runtime_error("OpenSSL: cannot set up AES-256-GCM");
    }
    return encryptWith(ctx.get(), bytesOf(iv), plaintext, aad);
}

}  // namespace detail

}  // namespace relais::common
