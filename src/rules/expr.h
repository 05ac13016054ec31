// Private to src/rules: the expression language (docs/rules.md, "Expressions"). A small
// recursive-descent parser turns the text of one TOML string into nodes of SchemeData::nodes,
// with every name resolved; the type checker then types the nodes, converting enum literals to
// indexes, and finds cycles among derived values. Problems are appended to `errors` as
// "file:line:col: message", the column pointing inside the string.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rules/scheme_data.h"

namespace guichet::rules::internal {

// Where the characters of a TOML string start in the file: offset → line and column.
struct TextPosition {
  int line = 1, column = 1;  // of the string's first character
  bool multiline = false;    // a """ string: columns restart at 1 after each line break
};

struct ExprContext {
  SchemeData& data;
  std::unordered_map<std::string, int> derived_index, table_index;
  std::vector<std::string>& errors;
};

// Parses `text`; the root node's index, or -1 after appending errors.
int ParseExpression(ExprContext& context, std::string_view text, const TextPosition& at);

// Types every expression reachable from the derived values, then the given roots (rule
// conditions, the amount). Errors are appended; false when there were any.
class TypeChecker {
 public:
  explicit TypeChecker(ExprContext& context);
  // Types the node and what it reads; false after appending errors.
  bool Check(int node);
  // Types derived value `index` (and the ones it reads), reporting cycles.
  bool CheckDerived(int index);

 private:
  bool Visit(int node);
  void Error(const Node& node, const std::string& message);

  ExprContext& context_;
  std::vector<int> derived_state_;  // 0 not seen, 1 on the stack, 2 typed, 3 failed
  std::vector<int> stack_;
};

// The facts, derived values and table lookups an expression reads directly (not through
// derived values), in reading order (a lookup before its key), appended when not already there.
void CollectInputs(const SchemeData& data, int node, std::vector<Symbol>& out);

}  // namespace guichet::rules::internal
