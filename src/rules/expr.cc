#include "rules/expr.h"

#include <cmath>
#include <cstdlib>

namespace guichet::rules::internal {
namespace {

enum class Tok {
  kEnd,
  kNumber,  // integer or decimal; `money` when followed by € or EUR
  kDate,
  kString,
  kIdent,
  kPunct,  // ( ) [ ] , + - * / == != < <= > >=
  kBad,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;  // for strings: without quotes
  std::size_t offset = 0;
  bool money = false;
  bool decimal = false;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token Next() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
    Token t;
    t.offset = pos_;
    if (pos_ >= text_.size()) return t;
    const char c = text_[pos_];
    if (IsDigit(c)) return Number();
    if (c == '\'' || c == '"') {
      const std::size_t end = text_.find(c, pos_ + 1);
      if (end == std::string_view::npos) {
        t.kind = Tok::kBad;
        t.text = "unterminated text";
        pos_ = text_.size();
        return t;
      }
      t.kind = Tok::kString;
      t.text = text_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return t;
    }
    if (IsIdentStart(c) && static_cast<unsigned char>(c) < 0x80) {
      std::size_t end = pos_;
      while (end < text_.size() && IsIdentChar(text_[end])) ++end;
      t.kind = Tok::kIdent;
      t.text = text_.substr(pos_, end - pos_);
      pos_ = end;
      return t;
    }
    static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">="};
    for (std::string_view two : kTwo) {
      if (text_.substr(pos_, 2) == two) {
        t.kind = Tok::kPunct;
        t.text = text_.substr(pos_, 2);
        pos_ += 2;
        return t;
      }
    }
    if (std::string_view("()[],+-*/<>").find(c) != std::string_view::npos) {
      t.kind = Tok::kPunct;
      t.text = text_.substr(pos_, 1);
      ++pos_;
      return t;
    }
    t.kind = Tok::kBad;
    t.text = text_.substr(pos_, 1);
    if (static_cast<unsigned char>(c) >= 0x80) {
      std::size_t end = pos_ + 1;
      while (end < text_.size() && (static_cast<unsigned char>(text_[end]) & 0xC0) == 0x80) ++end;
      t.text = text_.substr(pos_, end - pos_);
    }
    pos_ = text_.size();
    return t;
  }

 private:
  Token Number() {
    Token t;
    t.offset = pos_;
    std::size_t end = pos_;
    while (end < text_.size() && IsDigit(text_[end])) ++end;
    // A date literal: YYYY-MM-DD.
    if (end - pos_ == 4 && end + 6 <= text_.size() && text_[end] == '-' &&
        IsDigit(text_[end + 1]) && IsDigit(text_[end + 2]) && text_[end + 3] == '-' &&
        IsDigit(text_[end + 4]) && IsDigit(text_[end + 5])) {
      t.kind = Tok::kDate;
      t.text = text_.substr(pos_, 10);
      pos_ += 10;
      return t;
    }
    if (end + 1 < text_.size() && text_[end] == '.' && IsDigit(text_[end + 1])) {
      ++end;
      while (end < text_.size() && IsDigit(text_[end])) ++end;
      t.decimal = true;
    }
    t.kind = Tok::kNumber;
    t.text = text_.substr(pos_, end - pos_);
    std::size_t after = end;
    while (after < text_.size() && text_[after] == ' ') ++after;
    if (text_.substr(after, 3) == "\u20ac") {
      t.money = true;
      end = after + 3;
    } else if (text_.substr(after, 3) == "EUR" &&
               (after + 3 == text_.size() || !IsIdentChar(text_[after + 3]))) {
      t.money = true;
      end = after + 3;
    }
    pos_ = end;
    return t;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

struct FunctionSpec {
  std::string_view name;
  Op op;
  int min_args, max_args;
};

constexpr FunctionSpec kFunctions[] = {
    {"if", Op::kIf, 3, 3},
    {"min", Op::kMin, 1, 16},
    {"max", Op::kMax, 1, 16},
    {"round", Op::kRound, 1, 1},
    {"floor", Op::kFloor, 1, 1},
    {"ceil", Op::kCeil, 1, 1},
    {"age_at", Op::kAgeAt, 2, 2},
    {"years_between", Op::kYearsBetween, 2, 2},
    {"months_between", Op::kMonthsBetween, 2, 2},
    {"days_between", Op::kDaysBetween, 2, 2},
    {"bareme", Op::kBareme, 2, 2},
    {"money", Op::kMoney, 1, 1},
    {"add_days", Op::kAddDays, 2, 2},
    {"add_months", Op::kAddMonths, 2, 2},
    {"add_years", Op::kAddYears, 2, 2},
};

class Parser {
 public:
  Parser(ExprContext& context, std::string_view text, const TextPosition& at)
      : context_(context), text_(text), at_(at), lexer_(text) {
    Advance();
  }

  int Parse() {
    const int root = Or();
    if (failed_) return -1;
    if (token_.kind != Tok::kEnd) {
      Fail(token_.offset, "unexpected \"" + std::string(token_.text) + "\" after the expression");
      return -1;
    }
    return root;
  }

 private:
  void Advance() { token_ = lexer_.Next(); }
  bool Is(std::string_view punct) const {
    return token_.kind == Tok::kPunct && token_.text == punct;
  }
  bool IsWord(std::string_view word) const {
    return token_.kind == Tok::kIdent && token_.text == word;
  }

  // Columns count characters (UTF-8 code points), as editors and toml++ do.
  void Position(std::size_t offset, int& line, int& column) const {
    line = at_.line;
    column = at_.column;
    for (std::size_t i = 0; i < offset && i < text_.size(); ++i) {
      if (at_.multiline && text_[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) {
        ++column;
      }
    }
  }

  void Fail(std::size_t offset, const std::string& message) {
    if (failed_) return;
    failed_ = true;
    int line, column;
    Position(offset, line, column);
    context_.errors.push_back(context_.data.source_name + ":" + std::to_string(line) + ":" +
                              std::to_string(column) + ": " + message);
  }

  int Add(Node node, std::size_t offset) {
    if (context_.data.nodes.size() >= kMaxNodes) {
      Fail(offset, "the scheme is too large (more than " + std::to_string(kMaxNodes) +
                       " expression nodes)");
      return -1;
    }
    Position(offset, node.line, node.column);
    context_.data.nodes.push_back(std::move(node));
    return static_cast<int>(context_.data.nodes.size()) - 1;
  }

  int Binary(Op op, int a, int b, std::size_t offset) {
    Node n;
    n.op = op;
    n.args = {a, b};
    return Add(std::move(n), offset);
  }

  // Nesting and size are bounded so that a hostile file cannot exhaust the stack here, in the
  // type checker or in evaluation (which recurse over the tree).
  struct Nest {
    explicit Nest(Parser& p) : parser(p) {
      if (++parser.depth_ > kMaxDepth && !parser.failed_) {
        parser.Fail(parser.token_.offset, "expression nested too deeply (more than " +
                                              std::to_string(kMaxDepth) + " levels)");
      }
    }
    ~Nest() { --parser.depth_; }
    Parser& parser;
  };

  int Or() {
    Nest nest(*this);
    if (failed_) return -1;
    int left = And();
    while (!failed_ && IsWord("or")) {
      const std::size_t at = token_.offset;
      Advance();
      left = Binary(Op::kOr, left, And(), at);
    }
    return left;
  }

  int And() {
    int left = Not();
    while (!failed_ && IsWord("and")) {
      const std::size_t at = token_.offset;
      Advance();
      left = Binary(Op::kAnd, left, Not(), at);
    }
    return left;
  }

  int Not() {
    Nest nest(*this);
    if (failed_) return -1;
    if (IsWord("not")) {
      const std::size_t at = token_.offset;
      Advance();
      Node n;
      n.op = Op::kNot;
      n.args = {Not()};
      return Add(std::move(n), at);
    }
    return Comparison();
  }

  int Comparison() {
    const std::size_t start = token_.offset;
    const int left = Additive();
    if (failed_) return -1;
    static constexpr std::pair<std::string_view, Op> kOps[] = {{"==", Op::kEq}, {"!=", Op::kNe},
                                                               {"<", Op::kLt},  {"<=", Op::kLe},
                                                               {">", Op::kGt},  {">=", Op::kGe}};
    for (const auto& [text, op] : kOps) {
      if (Is(text)) {
        const std::size_t at = token_.offset;
        Advance();
        const int right = Additive();
        const int node = Binary(op, left, right, at);
        (void)start;
        return node;
      }
    }
    bool negated = false;
    std::size_t at = token_.offset;
    if (IsWord("not")) {
      negated = true;
      Advance();
      if (!IsWord("in")) {
        Fail(token_.offset, "expected \"in\" after \"not\"");
        return -1;
      }
    }
    if (IsWord("in")) {
      Advance();
      if (!Is("[")) {
        Fail(token_.offset, "expected \"[\" after \"in\"");
        return -1;
      }
      Advance();
      Node n;
      n.op = negated ? Op::kNotIn : Op::kIn;
      n.args.push_back(left);
      while (!failed_) {
        n.args.push_back(Additive());
        if (Is(",")) {
          Advance();
          continue;
        }
        if (Is("]")) {
          Advance();
          break;
        }
        Fail(token_.offset, "expected \",\" or \"]\" in the list");
      }
      return Add(std::move(n), at);
    }
    return left;
  }

  int Additive() {
    int left = Multiplicative();
    while (!failed_ && (Is("+") || Is("-"))) {
      const Op op = Is("+") ? Op::kAdd : Op::kSub;
      const std::size_t at = token_.offset;
      Advance();
      left = Binary(op, left, Multiplicative(), at);
    }
    return left;
  }

  int Multiplicative() {
    int left = Unary();
    while (!failed_ && (Is("*") || Is("/"))) {
      const Op op = Is("*") ? Op::kMul : Op::kDiv;
      const std::size_t at = token_.offset;
      Advance();
      left = Binary(op, left, Unary(), at);
    }
    return left;
  }

  int Unary() {
    Nest nest(*this);
    if (failed_) return -1;
    if (Is("-")) {
      const std::size_t at = token_.offset;
      Advance();
      Node n;
      n.op = Op::kNeg;
      n.args = {Unary()};
      return Add(std::move(n), at);
    }
    return Primary();
  }

  int Literal(Type type, V value, std::size_t at) {
    Node n;
    n.op = Op::kLiteral;
    n.type = type;
    n.literal = value;
    n.literal.known = true;
    return Add(std::move(n), at);
  }

  int NumberLiteral(const Token& t) {
    const std::string digits(t.text);
    V v;
    if (t.money) {
      const std::size_t dot = digits.find('.');
      const std::string whole = digits.substr(0, dot);
      std::string frac = dot == std::string::npos ? "" : digits.substr(dot + 1);
      if (frac.size() > 2) {
        Fail(t.offset, "an amount of money has at most two decimals (cents)");
        return -1;
      }
      while (frac.size() < 2) frac += '0';
      if (whole.size() > 13) {
        Fail(t.offset, "amount too large");
        return -1;
      }
      v.i = std::stoll(whole) * 100 + std::stoll(frac);
      return Literal(Type::kMoney, v, t.offset);
    }
    if (t.decimal) {
      v.d = std::strtod(digits.c_str(), nullptr);
      return Literal(Type::kDecimal, v, t.offset);
    }
    if (digits.size() > 15) {
      Fail(t.offset, "number too large");
      return -1;
    }
    v.i = std::stoll(digits);
    return Literal(Type::kInteger, v, t.offset);
  }

  int Primary() {
    const Token t = token_;
    switch (t.kind) {
      case Tok::kEnd:
        Fail(t.offset, "the expression ends too early");
        return -1;
      case Tok::kBad:
        Fail(t.offset, "unexpected \"" + std::string(t.text) + "\"");
        return -1;
      case Tok::kNumber:
        Advance();
        return NumberLiteral(t);
      case Tok::kDate: {
        Advance();
        const auto date = ParseDate(t.text);
        if (!date) {
          Fail(t.offset, "\"" + std::string(t.text) + "\" is not a date");
          return -1;
        }
        V v;
        v.i = date->days;
        return Literal(Type::kDate, v, t.offset);
      }
      case Tok::kString: {
        Advance();
        Node n;
        n.op = Op::kLiteral;
        n.type = Type::kText;
        n.literal_text = std::string(t.text);
        n.literal.known = true;
        return Add(std::move(n), t.offset);
      }
      case Tok::kPunct:
        if (Is("(")) {
          Advance();
          const int inner = Or();
          if (failed_) return -1;
          if (!Is(")")) {
            Fail(token_.offset, "expected \")\"");
            return -1;
          }
          Advance();
          return inner;
        }
        Fail(t.offset, "unexpected \"" + std::string(t.text) + "\"");
        return -1;
      case Tok::kIdent:
        break;
    }
    Advance();
    if (t.text == "true" || t.text == "false") {
      V v;
      v.i = t.text == "true";
      return Literal(Type::kBool, v, t.offset);
    }
    if (Is("(")) return Call(t);
    return Name(t);
  }

  int Name(const Token& t) {
    const std::string name(t.text);
    Node n;
    if (name == "as_of") {
      n.op = Op::kAsOf;
      n.type = Type::kDate;
      return Add(std::move(n), t.offset);
    }
    if (auto it = context_.data.fact_index.find(name); it != context_.data.fact_index.end()) {
      n.op = Op::kFact;
      n.ref = it->second;
      return Add(std::move(n), t.offset);
    }
    if (auto it = context_.derived_index.find(name); it != context_.derived_index.end()) {
      n.op = Op::kDerived;
      n.ref = it->second;
      return Add(std::move(n), t.offset);
    }
    if (context_.table_index.count(name)) {
      Fail(t.offset, "table \"" + name + "\" can only be read with bareme(" + name + ", value)");
      return -1;
    }
    Fail(t.offset, "unknown fact or derived value \"" + name + "\"");
    return -1;
  }

  int Call(const Token& t) {
    const FunctionSpec* spec = nullptr;
    for (const FunctionSpec& f : kFunctions) {
      if (f.name == t.text) spec = &f;
    }
    if (spec == nullptr) {
      Fail(t.offset, "unknown function \"" + std::string(t.text) + "\"");
      return -1;
    }
    Advance();  // (
    Node n;
    n.op = spec->op;
    if (spec->op == Op::kBareme) {
      if (token_.kind != Tok::kIdent) {
        Fail(token_.offset, "bareme() takes a table name first");
        return -1;
      }
      const auto it = context_.table_index.find(std::string(token_.text));
      if (it == context_.table_index.end()) {
        Fail(token_.offset, "unknown table \"" + std::string(token_.text) + "\"");
        return -1;
      }
      n.ref = it->second;
      Advance();
      if (!Is(",")) {
        Fail(token_.offset, "expected \",\" after the table name");
        return -1;
      }
      Advance();
    }
    if (!Is(")")) {
      while (!failed_) {
        n.args.push_back(Or());
        if (Is(",")) {
          Advance();
          continue;
        }
        if (Is(")")) break;
        Fail(token_.offset, "expected \",\" or \")\"");
      }
    }
    if (failed_) return -1;
    Advance();  // )
    const int count = static_cast<int>(n.args.size()) + (spec->op == Op::kBareme ? 1 : 0);
    if (count < spec->min_args || count > spec->max_args) {
      Fail(t.offset,
           std::string(t.text) + "() takes " +
               (spec->min_args == spec->max_args ? std::to_string(spec->min_args)
                                                 : std::to_string(spec->min_args) + " or more") +
               " arguments, not " + std::to_string(count));
      return -1;
    }
    return Add(std::move(n), t.offset);
  }

  ExprContext& context_;
  std::string_view text_;
  TextPosition at_;
  Lexer lexer_;
  Token token_;
  bool failed_ = false;
  int depth_ = 0;
  static constexpr int kMaxDepth = 64;
  static constexpr std::size_t kMaxNodes = 10'000;
};

bool IsNumber(Type t) { return t == Type::kInteger || t == Type::kDecimal; }
bool IsOrdered(Type t) { return IsNumber(t) || t == Type::kMoney || t == Type::kDate; }

std::string Describe(const SchemeData& data, const Node& n) {
  std::string out(TypeName(n.type));
  if (n.type == Type::kEnum && n.enum_fact >= 0) out += " of " + data.facts[n.enum_fact].info.id;
  return out;
}

}  // namespace

std::string NodeLocation(const SchemeData& data, const Node& node) {
  return data.source_name + ":" + std::to_string(node.line) + ":" + std::to_string(node.column);
}

int ParseExpression(ExprContext& context, std::string_view text, const TextPosition& at) {
  Parser parser(context, text, at);
  return parser.Parse();
}

TypeChecker::TypeChecker(ExprContext& context)
    : context_(context), derived_state_(context.data.derived.size(), 0) {}

void TypeChecker::Error(const Node& node, const std::string& message) {
  context_.errors.push_back(NodeLocation(context_.data, node) + ": " + message);
}

bool TypeChecker::Check(int node) { return node >= 0 && Visit(node); }

bool TypeChecker::CheckDerived(int index) {
  int& state = derived_state_[index];
  if (state == 2) return true;
  if (state == 3) return false;
  Derived& d = context_.data.derived[index];
  if (state == 1) {
    std::string cycle;
    bool in = false;
    for (int s : stack_) {
      if (s == index) in = true;
      if (in) cycle += context_.data.derived[s].id + " → ";
    }
    cycle += d.id;
    context_.errors.push_back(context_.data.source_name + ":" + std::to_string(d.line) + ":" +
                              std::to_string(d.column) + ": cycle among derived values: " + cycle);
    // Every derived value on the cycle fails, so the cycle is reported once.
    in = false;
    for (int s : stack_) {
      if (s == index) in = true;
      if (in) derived_state_[s] = 3;
    }
    return false;
  }
  state = 1;
  stack_.push_back(index);
  const bool ok = d.root >= 0 && Visit(d.root);
  stack_.pop_back();
  if (derived_state_[index] == 3) return false;
  derived_state_[index] = ok ? 2 : 3;
  if (ok) d.type = context_.data.nodes[d.root].type;
  if (ok && d.type == Type::kEnum) {
    // Derived enums are not supported: comparisons need the list of values of one fact.
  }
  return ok;
}

bool TypeChecker::Visit(int index) {
  std::vector<Node>& nodes = context_.data.nodes;
  for (int a : nodes[index].args) {
    if (a < 0 || !Visit(a)) return false;
  }
  Node& n = nodes[index];
  auto arg = [&](int i) -> Node& { return nodes[n.args[i]]; };
  auto fail = [&](const std::string& message) {
    Error(n, message);
    return false;
  };
  switch (n.op) {
    case Op::kLiteral:
    case Op::kAsOf:
      return true;
    case Op::kFact: {
      const Fact& f = context_.data.facts[n.ref];
      n.type = f.info.type;
      if (n.type == Type::kEnum) n.enum_fact = n.ref;
      return true;
    }
    case Op::kDerived: {
      if (!CheckDerived(n.ref)) {
        // The derived value's own error is reported where it is defined.
        return false;
      }
      const Derived& d = context_.data.derived[n.ref];
      n.type = d.type;
      n.enum_fact = nodes[d.root].enum_fact;
      return true;
    }
    case Op::kNeg:
      if (!IsNumber(arg(0).type) && arg(0).type != Type::kMoney)
        return fail("cannot negate a " + Describe(context_.data, arg(0)));
      n.type = arg(0).type;
      return true;
    case Op::kNot:
      if (arg(0).type != Type::kBool)
        return fail("\"not\" needs a bool, not a " + Describe(context_.data, arg(0)));
      n.type = Type::kBool;
      return true;
    case Op::kAnd:
    case Op::kOr:
      for (int i = 0; i < 2; ++i) {
        if (arg(i).type != Type::kBool)
          return fail(std::string(n.op == Op::kAnd ? "\"and\"" : "\"or\"") +
                      " needs bools, not a " + Describe(context_.data, arg(i)));
      }
      n.type = Type::kBool;
      return true;
    case Op::kAdd:
    case Op::kSub: {
      const Type a = arg(0).type, b = arg(1).type;
      if (a == Type::kMoney && b == Type::kMoney) {
        n.type = Type::kMoney;
      } else if (IsNumber(a) && IsNumber(b)) {
        n.type = a == Type::kInteger && b == Type::kInteger ? Type::kInteger : Type::kDecimal;
      } else {
        return fail("cannot " + std::string(n.op == Op::kAdd ? "add" : "subtract") + " " +
                    Describe(context_.data, arg(0)) + " and " + Describe(context_.data, arg(1)) +
                    (a == Type::kMoney || b == Type::kMoney
                         ? " (write amounts of money with €, e.g. 100 €)"
                         : (a == Type::kDate ? " (use add_days, add_months or add_years)" : "")));
      }
      return true;
    }
    case Op::kMul: {
      const Type a = arg(0).type, b = arg(1).type;
      if ((a == Type::kMoney && IsNumber(b)) || (IsNumber(a) && b == Type::kMoney)) {
        n.type = Type::kMoney;
      } else if (IsNumber(a) && IsNumber(b)) {
        n.type = a == Type::kInteger && b == Type::kInteger ? Type::kInteger : Type::kDecimal;
      } else {
        return fail("cannot multiply " + Describe(context_.data, arg(0)) + " by " +
                    Describe(context_.data, arg(1)));
      }
      return true;
    }
    case Op::kDiv: {
      const Type a = arg(0).type, b = arg(1).type;
      if (a == Type::kMoney && IsNumber(b)) {
        n.type = Type::kMoney;
      } else if ((a == Type::kMoney && b == Type::kMoney) || (IsNumber(a) && IsNumber(b))) {
        n.type = Type::kDecimal;
      } else {
        return fail("cannot divide " + Describe(context_.data, arg(0)) + " by " +
                    Describe(context_.data, arg(1)));
      }
      return true;
    }
    case Op::kEq:
    case Op::kNe:
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
    case Op::kIn:
    case Op::kNotIn: {
      const bool ordered = n.op == Op::kLt || n.op == Op::kLe || n.op == Op::kGt || n.op == Op::kGe;
      Node& left = arg(0);
      for (std::size_t i = 1; i < n.args.size(); ++i) {
        Node& right = nodes[n.args[i]];
        // An enum against a text literal: the literal becomes the value's index.
        for (int side = 0; side < 2; ++side) {
          Node& e = side == 0 ? left : right;
          Node& lit = side == 0 ? right : left;
          if (e.type == Type::kEnum && lit.op == Op::kLiteral && lit.type == Type::kText) {
            const Fact& f = context_.data.facts[e.enum_fact];
            const auto it = f.value_index.find(lit.literal_text);
            if (it == f.value_index.end()) {
              std::string allowed;
              for (const std::string& v : f.info.values)
                allowed += (allowed.empty() ? "" : ", ") + v;
              Error(lit, "\"" + lit.literal_text + "\" is not a value of " + f.info.id + " (" +
                             allowed + ")");
              return false;
            }
            lit.type = Type::kEnum;
            lit.enum_fact = e.enum_fact;
            lit.literal.i = it->second;
            lit.literal.s = f.info.values[it->second];
          }
        }
        const Type a = left.type, b = right.type;
        const bool same =
            (IsNumber(a) && IsNumber(b)) || (a == b && a != Type::kEnum) ||
            (a == Type::kEnum && b == Type::kEnum && left.enum_fact == right.enum_fact);
        if (!same) {
          Error(right.op == Op::kLiteral ? right : n,
                "cannot compare " + Describe(context_.data, left) + " with " +
                    Describe(context_.data, right) +
                    (a == Type::kMoney || b == Type::kMoney
                         ? " (write amounts of money with €, e.g. 1240 €)"
                         : ""));
          return false;
        }
        if (ordered && !IsOrdered(a))
          return fail("values of type " + std::string(TypeName(a)) + " have no order");
      }
      n.type = Type::kBool;
      return true;
    }
    case Op::kIf: {
      if (arg(0).type != Type::kBool) return fail("if() needs a bool condition first");
      const Type a = arg(1).type, b = arg(2).type;
      if (IsNumber(a) && IsNumber(b)) {
        n.type = a == b ? a : Type::kDecimal;
      } else if (a == b && (a != Type::kEnum || arg(1).enum_fact == arg(2).enum_fact)) {
        n.type = a;
        n.enum_fact = arg(1).enum_fact;
      } else {
        return fail("if() branches differ: " + Describe(context_.data, arg(1)) + " and " +
                    Describe(context_.data, arg(2)));
      }
      return true;
    }
    case Op::kMin:
    case Op::kMax: {
      Type t = arg(0).type;
      for (std::size_t i = 0; i < n.args.size(); ++i) {
        const Type a = nodes[n.args[i]].type;
        if (!IsOrdered(a)) return fail("min() and max() take numbers, money or dates");
        if (IsNumber(a) && IsNumber(t)) {
          if (a != t) t = Type::kDecimal;
        } else if (a != t) {
          return fail("min() and max() take values of one type, not " + std::string(TypeName(t)) +
                      " and " + std::string(TypeName(a)));
        }
      }
      n.type = t;
      return true;
    }
    case Op::kRound:
    case Op::kFloor:
    case Op::kCeil: {
      const Type a = arg(0).type;
      if (a == Type::kMoney) {
        n.type = Type::kMoney;
      } else if (IsNumber(a)) {
        n.type = Type::kInteger;
      } else {
        return fail("round(), floor() and ceil() take a number or money");
      }
      return true;
    }
    case Op::kAgeAt:
    case Op::kYearsBetween:
    case Op::kMonthsBetween:
    case Op::kDaysBetween:
      if (arg(0).type != Type::kDate || arg(1).type != Type::kDate)
        return fail("this function takes two dates, not " + Describe(context_.data, arg(0)) +
                    " and " + Describe(context_.data, arg(1)));
      n.type = Type::kInteger;
      return true;
    case Op::kAddDays:
    case Op::kAddMonths:
    case Op::kAddYears:
      if (arg(0).type != Type::kDate || arg(1).type != Type::kInteger)
        return fail("this function takes a date and an integer");
      n.type = Type::kDate;
      return true;
    case Op::kBareme: {
      const Table& t = context_.data.tables[n.ref];
      const Type a = arg(0).type;
      if (!(a == t.key || (IsNumber(a) && IsNumber(t.key))))
        return fail("table " + t.id + " is looked up with a " + std::string(TypeName(t.key)) +
                    ", not a " + Describe(context_.data, arg(0)));
      n.type = t.value;
      return true;
    }
    case Op::kMoney:
      if (!IsNumber(arg(0).type)) return fail("money() takes a number of euros");
      n.type = Type::kMoney;
      return true;
  }
  return fail("unknown operation");
}

void CollectInputs(const SchemeData& data, int node, std::vector<Symbol>& out) {
  if (node < 0) return;
  const Node& n = data.nodes[node];
  auto add = [&](Symbol::Kind kind, int index) {
    for (const Symbol& s : out) {
      if (s.kind == kind && s.index == index) return;
    }
    out.push_back({kind, index});
  };
  if (n.op == Op::kFact || n.op == Op::kDerived) {
    add(n.op == Op::kFact ? Symbol::kFact : Symbol::kDerived, n.ref);
    return;
  }
  if (n.op == Op::kBareme) add(Symbol::kTable, node);
  for (int a : n.args) CollectInputs(data, a, out);
}

}  // namespace guichet::rules::internal
