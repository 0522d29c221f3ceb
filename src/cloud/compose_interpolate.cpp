// Compose's variable interpolation and .env files (the compose-go rules).
#include <cctype>

#include <fmt/format.h>

#include "cloud/compose.h"

namespace infinity_sync {
namespace {

bool NameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool NameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

Error Invalid(std::string_view text) {
  return Error{
      fmt::format("invalid interpolation format in \"{}\" (write $$ for a literal $)", text)};
}

// Expands `text`; `depth` bounds nesting of defaults within defaults.
Result<std::string> Expand(std::string_view text, const EnvLookup& env, int depth) {
  if (depth > 16) return Error{"interpolation nested too deeply"};
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$') {
      out += c;
      ++i;
      continue;
    }
    // A '$' not followed by '$', a name or '{' is kept as written ("^a$",
    // "costs 5$"), as compose's pattern does not match it.
    if (i + 1 >= text.size()) {
      out += '$';
      ++i;
      continue;
    }
    char next = text[i + 1];
    if (next == '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (NameStart(next)) {
      std::size_t end = i + 1;
      while (end < text.size() && NameChar(text[end])) ++end;
      std::string name(text.substr(i + 1, end - i - 1));
      out += env(name).value_or("");
      i = end;
      continue;
    }
    if (next != '{') {
      out += '$';
      ++i;
      continue;
    }
    // ${NAME[op operand]} with the operand running to the matching brace:
    // every '{' opens one (a default may hold JSON), as in compose.
    std::size_t j = i + 2;
    if (j >= text.size() || !NameStart(text[j])) return Invalid(text);
    std::size_t name_end = j;
    while (name_end < text.size() && NameChar(text[name_end])) ++name_end;
    std::string name(text.substr(j, name_end - j));
    int level = 1;
    std::size_t k = name_end;
    while (k < text.size()) {
      if (text[k] == '$' && k + 1 < text.size() && text[k + 1] == '$') {
        k += 2;
        continue;
      }
      if (text[k] == '{') {
        ++level;
        ++k;
        continue;
      }
      if (text[k] == '}' && --level == 0) break;
      ++k;
    }
    if (k >= text.size()) {
      return Error{fmt::format("unterminated \"${{\" in \"{}\"", text)};
    }
    std::string_view rest = text.substr(name_end, k - name_end);
    std::optional<std::string> value = env(name);
    if (rest.empty()) {
      out += value.value_or("");
    } else {
      bool colon = rest[0] == ':';
      std::string_view op_and = colon ? rest.substr(1) : rest;
      if (op_and.empty()) return Invalid(text);
      char op = op_and[0];
      std::string_view operand = op_and.substr(1);
      bool missing = !value.has_value() || (colon && value->empty());
      if (op == '-') {
        if (missing) {
          auto sub = Expand(operand, env, depth + 1);
          if (!sub) return sub;
          out += *sub;
        } else {
          out += *value;
        }
      } else if (op == '?') {
        if (missing) {
          auto sub = Expand(operand, env, depth + 1);
          std::string why = sub ? *sub : std::string(operand);
          return Error{fmt::format("required variable {} is missing a value{}{}", name,
                                   why.empty() ? "" : ": ", why)};
        }
        out += *value;
      } else if (op == '+') {
        if (!missing) {
          auto sub = Expand(operand, env, depth + 1);
          if (!sub) return sub;
          out += *sub;
        }
      } else {
        return Invalid(text);
      }
    }
    i = k + 1;
  }
  return out;
}

std::string Trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

}  // namespace

Result<std::string> InterpolateCompose(std::string_view text, const EnvLookup& env) {
  if (text.find('$') == std::string_view::npos) return std::string(text);
  return Expand(text, env, 0);
}

Result<std::map<std::string, std::string>> ParseDotEnv(std::string_view text,
                                                       const std::string& file,
                                                       const EnvLookup& lookup) {
  std::map<std::string, std::string> vars;
  // Earlier lines of the file first, then the caller's lookup.
  EnvLookup scoped = [&](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it != vars.end()) return it->second;
    return lookup(name);
  };
  std::size_t pos = 0;
  int line_no = 0;
  auto fail = [&](int line, const std::string& what) {
    return Error{fmt::format("{}:{}: {}", file, line, what)};
  };
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string line = Trim(text.substr(pos, eol - pos));
    ++line_no;
    int start_line = line_no;
    std::size_t line_start = pos;
    pos = eol + 1;
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = Trim(std::string_view(line).substr(7));
    std::size_t eq = line.find('=');
    std::string key = Trim(std::string_view(line).substr(0, eq));
    bool valid_key = !key.empty() && NameStart(key[0]);
    for (char c : key) valid_key = valid_key && (NameChar(c) || c == '.' || c == '-');
    if (!valid_key)
      return fail(start_line, fmt::format("\"{}\" is not a valid variable name", key));
    if (eq == std::string::npos) {
      // A bare name takes its value from the environment, when set there.
      if (auto v = lookup(key)) vars[key] = *v;
      continue;
    }
    // The value starts after '=' in the original text, so quotes may span lines.
    std::size_t raw_eq = text.find('=', line_start);
    std::size_t v = raw_eq + 1;
    while (v < text.size() && (text[v] == ' ' || text[v] == '\t')) ++v;
    std::string value;
    if (v < text.size() && (text[v] == '\'' || text[v] == '"')) {
      char quote = text[v];
      std::size_t k = v + 1;
      std::string raw;
      while (k < text.size() && text[k] != quote) {
        if (quote == '"' && text[k] == '\\' && k + 1 < text.size()) {
          char e = text[k + 1];
          raw += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
          if (e == '$') raw += '$';  // \$ is a literal $: keep it escaped for Expand
          k += 2;
          continue;
        }
        if (text[k] == '\n') ++line_no;
        raw += text[k++];
      }
      if (k >= text.size()) {
        return fail(start_line,
                    fmt::format("unterminated {} quote in the value of {}", quote, key));
      }
      if (quote == '"') {
        auto expanded = InterpolateCompose(raw, scoped);
        if (!expanded) return fail(start_line, key + ": " + expanded.error());
        value = *expanded;
      } else {
        value = raw;
      }
      std::size_t after = text.find('\n', k);
      pos = after == std::string_view::npos ? text.size() : after + 1;
    } else {
      std::string raw(text.substr(v, eol - v));
      std::size_t hash = raw.find(" #");
      if (hash != std::string::npos) raw = raw.substr(0, hash);
      auto expanded = InterpolateCompose(Trim(raw), scoped);
      if (!expanded) return fail(start_line, key + ": " + expanded.error());
      value = *expanded;
    }
    vars[key] = value;
  }
  return vars;
}

std::string NormalizeProjectName(std::string_view name) {
  std::string out;
  for (char c : name) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '-') out += l;
  }
  std::size_t first = out.find_first_not_of("_-");
  return first == std::string::npos ? "" : out.substr(first);
}

bool IsValidProjectName(std::string_view name) {
  if (name.empty()) return false;
  if (!std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace infinity_sync
