// SPDX-License-Identifier: AGPL-3.0-or-later
// XPath 1.0 with namespaces over libxml2 (relais/sdk/xml.h).

#include <cmath>
#include <mutex>
#include <new>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "relais/sdk/xml.h"

#include "sdk/xml_errors.h"
#include "sdk/xml_native.h"

namespace relais::sdk {

struct XPathQuery::Impl {
    std::string expression;
    std::vector<NamespaceBinding> namespaces;
    xmlXPathCompExpr* compiled = nullptr;
    std::mutex mutex;  // guards `compiled` while it is evaluated

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() {
        if (compiled != nullptr) xmlXPathFreeCompExpr(compiled);
    }
};

Result<std::vector<NamespaceBinding>> parseNamespaceBindings(
    const std::vector<std::string>& entries) {
    std::vector<NamespaceBinding> bindings;
    for (const std::string& entry : entries) {
        if (entry.empty()) continue;
        const auto equals = entry.find('=');
        if (equals == std::string::npos) {
            return fail(ErrorCode::InvalidArgument,
                        "namespaces entry '" + entry + "' is not prefix=uri", "namespaces");
        }
        NamespaceBinding binding{std::string(trimXmlSpace(entry.substr(0, equals))),
                                 std::string(trimXmlSpace(entry.substr(equals + 1)))};
        if (!isNcName(binding.prefix)) {
            return fail(ErrorCode::InvalidArgument,
                        "namespaces entry '" + entry + "': '" + binding.prefix +
                            "' is not a valid prefix (letters, digits, '_', '-', '.', "
                            "not starting with a digit)",
                        "namespaces");
        }
        if (binding.prefix == "xml" || binding.prefix == "xmlns") {
            return fail(ErrorCode::InvalidArgument,
                        "namespaces entry '" + entry + "': the prefix '" + binding.prefix +
                            "' is reserved by XML",
                        "namespaces");
        }
        if (binding.uri.empty()) {
            return fail(ErrorCode::InvalidArgument,
                        "namespaces entry '" + entry + "' has an empty URI", "namespaces");
        }
        for (const NamespaceBinding& other : bindings) {
            if (other.prefix == binding.prefix) {
                return fail(ErrorCode::InvalidArgument,
                            "namespaces: the prefix '" + binding.prefix + "' is bound twice",
                            "namespaces");
            }
        }
        bindings.push_back(std::move(binding));
    }
    return bindings;
}

namespace {

struct XPathContextFree {
    void operator()(xmlXPathContext* ctxt) const noexcept { xmlXPathFreeContext(ctxt); }
};

struct XPathObjectFree {
    void operator()(xmlXPathObject* object) const noexcept { xmlXPathFreeObject(object); }
};

struct XmlCharFree {
    void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};

const xmlChar* toXmlChar(const char* text) noexcept {
    return reinterpret_cast<const xmlChar*>(text);
}

// A new XPath context over `doc` with `namespaces` declared and errors going to `errors`.
std::unique_ptr<xmlXPathContext, XPathContextFree> newXPathContext(
    const xmlDoc& doc, const std::vector<NamespaceBinding>& namespaces,
    detail::XmlErrorCollector& errors) {
    // libxml2 only reads the document through the context; its API is not const-correct.
    auto* mutable_doc = const_cast<xmlDoc*>(&doc);
    std::unique_ptr<xmlXPathContext, XPathContextFree> ctxt(xmlXPathNewContext(mutable_doc));
    if (ctxt == nullptr) throw std::bad_alloc();
    ctxt->error = &detail::XmlErrorCollector::onStructuredError;
    ctxt->userData = &errors;
    // The document node is the context node, so `a/b` and `//b` both work.
    ctxt->node = reinterpret_cast<xmlNode*>(mutable_doc);
    for (const NamespaceBinding& ns : namespaces) {
        if (xmlXPathRegisterNs(ctxt.get(), toXmlChar(ns.prefix.c_str()),
                               toXmlChar(ns.uri.c_str())) != 0) {
            throw std::bad_alloc();
        }
    }
    return ctxt;
}

std::string firstProblem(detail::XmlErrorCollector& errors, const char* fallback) {
    std::vector<XmlProblem> problems = errors.take();
    return problems.empty() ? std::string(fallback) : problems.front().message;
}

}  // namespace

Result<std::unique_ptr<XPathQuery>> XPathQuery::compile(const std::string& expression,
                                                        std::vector<NamespaceBinding> namespaces) {
    native::initLibxml2();
    auto impl = std::make_unique<Impl>();
    impl->expression = expression;
    impl->namespaces = std::move(namespaces);
    if (trimXmlSpace(expression).empty()) {
        return fail(ErrorCode::InvalidArgument, "the XPath expression is empty");
    }

    XmlDocPtr probe(xmlNewDoc(toXmlChar("1.0")));
    if (probe == nullptr) throw std::bad_alloc();
    xmlNode* root = xmlNewDocNode(probe.get(), nullptr, toXmlChar("relais-probe"), nullptr);
    if (root == nullptr) throw std::bad_alloc();
    xmlDocSetRootElement(probe.get(), root);

    detail::XmlErrorCollector errors;
    detail::ScopedXmlErrorCapture capture(errors);
    auto ctxt = newXPathContext(*probe, impl->namespaces, errors);
    impl->compiled = xmlXPathCtxtCompile(ctxt.get(), toXmlChar(expression.c_str()));
    if (impl->compiled == nullptr) {
        return fail(ErrorCode::InvalidArgument, "'" + expression +
                                                    "' is not a valid XPath 1.0 expression: " +
                                                    firstProblem(errors, "libxml2 refused it"));
    }
    // Compiling does not resolve prefixes or functions; evaluating once does.
    std::unique_ptr<xmlXPathObject, XPathObjectFree> result(
        xmlXPathCompiledEval(impl->compiled, ctxt.get()));
    if (result == nullptr) {
        return fail(ErrorCode::InvalidArgument,
                    "the XPath expression '" + expression +
                        "' cannot be evaluated: " + firstProblem(errors, "evaluation failed") +
                        " (prefixes must be declared in 'namespaces')");
    }
    return std::unique_ptr<XPathQuery>(new XPathQuery(std::move(impl)));
}

XPathQuery::XPathQuery(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

XPathQuery::~XPathQuery() = default;

const std::string& XPathQuery::expression() const noexcept { return impl_->expression; }

Result<std::optional<std::string>> XPathQuery::evaluate(const XmlDocument& doc) const {
    detail::XmlErrorCollector errors;
    detail::ScopedXmlErrorCapture capture(errors);
    auto ctxt = newXPathContext(*doc.impl().doc, impl_->namespaces, errors);
    std::unique_ptr<xmlXPathObject, XPathObjectFree> result;
    {
        std::lock_guard lock(impl_->mutex);
        result.reset(xmlXPathCompiledEval(impl_->compiled, ctxt.get()));
    }
    if (result == nullptr) {
        return fail(ErrorCode::InvalidArgument,
                    "the XPath expression '" + impl_->expression +
                        "' failed: " + firstProblem(errors, "evaluation failed"));
    }
    std::unique_ptr<xmlChar, XmlCharFree> text;
    switch (result->type) {
        case XPATH_NODESET:
            if (result->nodesetval == nullptr || result->nodesetval->nodeNr == 0) {
                return std::optional<std::string>();
            }
            text.reset(xmlXPathCastNodeSetToString(result->nodesetval));
            break;
        case XPATH_STRING:
            text.reset(xmlStrdup(result->stringval != nullptr ? result->stringval : toXmlChar("")));
            break;
        case XPATH_NUMBER:
            if (std::isnan(result->floatval)) return std::optional<std::string>();
            text.reset(xmlXPathCastNumberToString(result->floatval));
            break;
        case XPATH_BOOLEAN:
            return fail(ErrorCode::InvalidArgument, "the XPath expression '" + impl_->expression +
                                                        "' gives a boolean, not an identifier");
        default:
            return fail(ErrorCode::InvalidArgument, "the XPath expression '" + impl_->expression +
                                                        "' gives a value that is not text");
    }
    if (text == nullptr) throw std::bad_alloc();
    const std::string_view value = trimXmlSpace(reinterpret_cast<const char*>(text.get()));
    if (value.empty()) return std::optional<std::string>();
    return std::optional<std::string>(std::string(value));
}

}  // namespace relais::sdk
