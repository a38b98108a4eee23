// $filter: the lexer, the expression tree and the parser of the OData subset the sandbox's
// Ploomes emulator understands (see odata.h).

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/time.h"
#include "sandbox/internal/odata_values.h"
#include "sandbox/odata.h"

namespace ponte::sandbox {
namespace {

using detail::AsMicros;
using detail::Resolve;
using detail::WithoutOffset;

// ---- tokens ----

enum class Tok { kIdent, kString, kNumber, kDateTime, kLParen, kRParen, kComma, kColon, kEnd };

struct Token {
  Tok kind;
  std::string text;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Result<std::vector<Token>> All() {
    std::vector<Token> out;
    while (true) {
      while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ >= s_.size()) break;
      char c = s_[pos_];
      if (c == '(') { out.push_back({Tok::kLParen, "("}); ++pos_; continue; }
      if (c == ')') { out.push_back({Tok::kRParen, ")"}); ++pos_; continue; }
      if (c == ',') { out.push_back({Tok::kComma, ","}); ++pos_; continue; }
      if (c == ':') { out.push_back({Tok::kColon, ":"}); ++pos_; continue; }
      if (c == '\'') {
        std::string text;
        ++pos_;
        while (true) {
          if (pos_ >= s_.size()) return Fail(Error::InvalidArgument("unterminated string in $filter"));
          if (s_[pos_] == '\'') {
            if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '\'') { text += '\''; pos_ += 2; continue; }
            ++pos_;
            break;
          }
          text += s_[pos_++];
        }
        out.push_back({Tok::kString, text});
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c)) || (c == '-' && pos_ + 1 < s_.size() &&
                                                           std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])))) {
        size_t start = pos_++;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                    s_[pos_] == '-' || s_[pos_] == ':' || s_[pos_] == '.' ||
                                    s_[pos_] == '+')) {
          // A ':' only belongs to a date-time literal, never after a plain number.
          if (s_[pos_] == ':' && s_.substr(start, pos_ - start).find('T') == std::string_view::npos) break;
          ++pos_;
        }
        std::string text(s_.substr(start, pos_ - start));
        bool is_date = text.size() >= 10 && text[4] == '-';
        out.push_back({is_date ? Tok::kDateTime : Tok::kNumber, text});
        continue;
      }
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '@') {
        size_t start = pos_++;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                    s_[pos_] == '_' || s_[pos_] == '/' || s_[pos_] == '@')) {
          ++pos_;
        }
        out.push_back({Tok::kIdent, std::string(s_.substr(start, pos_ - start))});
        continue;
      }
      return Fail(Error::InvalidArgument(
          fmt::format("unexpected character '{}' at position {} of $filter", c, pos_)));
    }
    out.push_back({Tok::kEnd, ""});
    return out;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// ---- expression tree ----

struct Operand {
  bool is_path = false;
  std::string path;  // for paths; "v/Field" may start with a lambda variable
  Json literal;      // for literals
  bool is_datetime = false;

  const Json* Value(const Json& record, const Json* scope, const std::string& var) const {
    if (!is_path) return &literal;
    if (!var.empty() && scope && path.starts_with(var + "/")) {
      return Resolve(*scope, std::string_view(path).substr(var.size() + 1));
    }
    if (!var.empty() && scope && path == var) return scope;
    return Resolve(record, path);
  }
};

class Compare final : public FilterExpr {
 public:
  Compare(Operand l, std::string op, Operand r, std::string var)
      : l_(std::move(l)), op_(std::move(op)), r_(std::move(r)), var_(std::move(var)) {}
  bool Matches(const Json& record, const Json* scope) const override {
    static const Json kNull;
    const Json* a = l_.Value(record, scope, var_);
    const Json* b = r_.Value(record, scope, var_);
    if (!a) a = &kNull;
    if (!b) b = &kNull;
    if (op_ == "eq" || op_ == "ne") {
      bool equal = (a->is_null() && b->is_null()) ||
                   (!a->is_null() && !b->is_null() && CompareValues(*a, *b) == 0);
      return op_ == "eq" ? equal : !equal;
    }
    if (a->is_null() || b->is_null()) return false;
    int c = CompareValues(*a, *b);
    if (op_ == "gt") return c > 0;
    if (op_ == "ge") return c >= 0;
    if (op_ == "lt") return c < 0;
    return c <= 0;  // le
  }

 private:
  Operand l_;
  std::string op_;
  Operand r_;
  std::string var_;
};

class Logical final : public FilterExpr {
 public:
  Logical(bool is_and, std::unique_ptr<FilterExpr> l, std::unique_ptr<FilterExpr> r)
      : and_(is_and), l_(std::move(l)), r_(std::move(r)) {}
  bool Matches(const Json& record, const Json* scope) const override {
    return and_ ? (l_->Matches(record, scope) && r_->Matches(record, scope))
                : (l_->Matches(record, scope) || r_->Matches(record, scope));
  }

 private:
  bool and_;
  std::unique_ptr<FilterExpr> l_, r_;
};

class Not final : public FilterExpr {
 public:
  explicit Not(std::unique_ptr<FilterExpr> e) : e_(std::move(e)) {}
  bool Matches(const Json& record, const Json* scope) const override {
    return !e_->Matches(record, scope);
  }

 private:
  std::unique_ptr<FilterExpr> e_;
};

class StringFunction final : public FilterExpr {
 public:
  StringFunction(std::string fn, Operand field, Operand needle, std::string var)
      : fn_(std::move(fn)), field_(std::move(field)), needle_(std::move(needle)), var_(std::move(var)) {}
  bool Matches(const Json& record, const Json* scope) const override {
    const Json* f = field_.Value(record, scope, var_);
    const Json* n = needle_.Value(record, scope, var_);
    if (!f || !n || !f->is_string() || !n->is_string()) return false;
    const auto& s = f->get_ref<const std::string&>();
    const auto& x = n->get_ref<const std::string&>();
    if (fn_ == "contains") return s.find(x) != std::string::npos;
    if (fn_ == "startswith") return s.starts_with(x);
    return s.ends_with(x);
  }

 private:
  std::string fn_;
  Operand field_, needle_;
  std::string var_;
};

class Any final : public FilterExpr {
 public:
  Any(std::string collection, std::unique_ptr<FilterExpr> body)
      : collection_(std::move(collection)), body_(std::move(body)) {}
  bool Matches(const Json& record, const Json*) const override {
    const Json* items = Resolve(record, collection_);
    if (!items) return false;
    if (items->is_array()) {
      for (const auto& item : *items) {
        if (body_->Matches(record, &item)) return true;
      }
      return false;
    }
    if (items->is_object()) {  // OtherProperties as a map in webhook payloads
      for (auto it = items->begin(); it != items->end(); ++it) {
        Json entry = {{"FieldKey", it.key()}, {"StringValue", it.value()}};
        if (body_->Matches(record, &entry)) return true;
      }
    }
    return false;
  }

 private:
  std::string collection_;
  std::unique_ptr<FilterExpr> body_;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, FilterOptions options) : t_(std::move(tokens)), options_(options) {}

  Result<std::unique_ptr<FilterExpr>> Parse() {
    auto e = Or();
    if (!e) return e;
    if (Peek().kind != Tok::kEnd) return Fail(Unexpected());
    return e;
  }

 private:
  const Token& Peek() const { return t_[i_]; }
  Token Next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
  bool IsWord(std::string_view w) const {
    return Peek().kind == Tok::kIdent && Peek().text == w;
  }
  Error Unexpected() const {
    return Error::InvalidArgument(fmt::format(
        "unexpected '{}' in $filter (token {})", Peek().kind == Tok::kEnd ? "end" : Peek().text,
        i_ + 1));
  }

  Result<std::unique_ptr<FilterExpr>> Or() {
    auto l = And();
    if (!l) return l;
    while (IsWord("or")) {
      Next();
      auto r = And();
      if (!r) return r;
      l = std::make_unique<Logical>(false, std::move(*l), std::move(*r));
    }
    return l;
  }

  Result<std::unique_ptr<FilterExpr>> And() {
    auto l = Unary();
    if (!l) return l;
    while (IsWord("and")) {
      Next();
      auto r = Unary();
      if (!r) return r;
      l = std::make_unique<Logical>(true, std::move(*l), std::move(*r));
    }
    return l;
  }

  Result<std::unique_ptr<FilterExpr>> Unary() {
    if (IsWord("not")) {
      Next();
      auto e = Unary();
      if (!e) return e;
      return std::unique_ptr<FilterExpr>(std::make_unique<Not>(std::move(*e)));
    }
    return Primary();
  }

  Result<Operand> ParseOperand() {
    Token t = Next();
    Operand o;
    switch (t.kind) {
      case Tok::kString: o.literal = t.text; return o;
      case Tok::kNumber: {
        try {
          if (t.text.find('.') != std::string::npos) {
            o.literal = std::stod(t.text);
          } else {
            o.literal = std::stoll(t.text);
          }
        } catch (...) {
          return Fail(Error::InvalidArgument(fmt::format("bad number '{}' in $filter", t.text)));
        }
        return o;
      }
      case Tok::kDateTime: {
        auto when = ParseIsoInstant(options_.ignore_date_offsets ? WithoutOffset(t.text) : t.text);
        if (!when) {
          return Fail(Error::InvalidArgument(fmt::format("bad date-time '{}' in $filter", t.text)));
        }
        o.literal = FormatUtc(*when);
        o.is_datetime = true;
        return o;
      }
      case Tok::kIdent:
        if (t.text == "null") { o.literal = nullptr; return o; }
        if (t.text == "true") { o.literal = true; return o; }
        if (t.text == "false") { o.literal = false; return o; }
        o.is_path = true;
        o.path = t.text;
        return o;
      default:
        --i_;
        return Fail(Unexpected());
    }
  }

  Result<std::unique_ptr<FilterExpr>> Primary() {
    if (Peek().kind == Tok::kLParen) {
      Next();
      auto e = Or();
      if (!e) return e;
      if (Next().kind != Tok::kRParen) return Fail(Error::InvalidArgument("missing ')' in $filter"));
      return e;
    }
    if (Peek().kind == Tok::kIdent && i_ + 1 < t_.size() && t_[i_ + 1].kind == Tok::kLParen) {
      std::string name = Next().text;
      Next();  // (
      if (name == "contains" || name == "startswith" || name == "endswith") {
        auto field = ParseOperand();
        if (!field) return Fail(field.error());
        if (Next().kind != Tok::kComma) return Fail(Error::InvalidArgument(name + " needs two arguments"));
        auto needle = ParseOperand();
        if (!needle) return Fail(needle.error());
        if (Next().kind != Tok::kRParen) return Fail(Error::InvalidArgument("missing ')' after " + name));
        return std::unique_ptr<FilterExpr>(
            std::make_unique<StringFunction>(name, *field, *needle, var_));
      }
      if (name.ends_with("/any")) {
        std::string collection = name.substr(0, name.size() - 4);
        Token var = Next();
        if (var.kind != Tok::kIdent || Next().kind != Tok::kColon) {
          return Fail(Error::InvalidArgument("any() needs a lambda: Tags/any(t: t/TagId eq 1)"));
        }
        std::string saved = var_;
        var_ = var.text;
        auto body = Or();
        var_ = saved;
        if (!body) return body;
        if (Next().kind != Tok::kRParen) return Fail(Error::InvalidArgument("missing ')' after any("));
        return std::unique_ptr<FilterExpr>(std::make_unique<Any>(collection, std::move(*body)));
      }
      return Fail(Error::InvalidArgument(fmt::format("unknown function '{}' in $filter", name)));
    }
    auto l = ParseOperand();
    if (!l) return Fail(l.error());
    Token op = Next();
    static const std::vector<std::string> kOps = {"eq", "ne", "gt", "ge", "lt", "le"};
    if (op.kind != Tok::kIdent || std::find(kOps.begin(), kOps.end(), op.text) == kOps.end()) {
      --i_;
      return Fail(Unexpected());
    }
    auto r = ParseOperand();
    if (!r) return Fail(r.error());
    return std::unique_ptr<FilterExpr>(std::make_unique<Compare>(*l, op.text, *r, var_));
  }

  std::vector<Token> t_;
  FilterOptions options_;
  size_t i_ = 0;
  std::string var_;  // the lambda variable inside any(), if any
};

}  // namespace

Result<std::unique_ptr<FilterExpr>> ParseFilter(std::string_view text, FilterOptions options) {
  auto tokens = Lexer(text).All();
  if (!tokens) return Fail(tokens.error());
  return Parser(std::move(*tokens), options).Parse();
}

}  // namespace ponte::sandbox
