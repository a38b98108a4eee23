// `ponte init`: a first configuration, asked at the terminal or given as flags (for scripts).
// It joins the systems, finds their keys, checks each with one call, writes ponte.toml (and,
// with --systemd, the environment file the unit reads) and says what to run next.

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/cli.h"
#include "app/config_loader.h"
#include "app/init_plan.h"
#include "app/runtime.h"
#include "app/system_kinds.h"

namespace ponte {
namespace {

struct InitOptions {
  std::string config = kDefaultConfigPath;
  bool non_interactive = false;
  bool force = false;
  bool no_check = false;
  bool systemd = false;
  std::string env_file = "/etc/ponte/ponte.env";
  std::string systems = "ploomes,milvus";
  std::string routes = "all";
  std::string store;
  // NAME=VALUE, per system.
  std::vector<std::string> urls, users, key_envs, key_files;
};

// NAME=VALUE options into a map; a value without NAME= is a usage error.
Result<std::map<std::string, std::string>> PerSystem(const std::vector<std::string>& given, const char* option) {
  std::map<std::string, std::string> out;
  for (const auto& g : given) {
    const auto eq = g.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(Error::InvalidArgument(fmt::format("{} takes SYSTEM=VALUE (e.g. {} erp=...), not '{}'", option, option,
                                                     g.substr(0, 40))));
    }
    out[g.substr(0, eq)] = g.substr(eq + 1);
  }
  return out;
}

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  std::string item;
  for (char ch : list + ",") {
    if (ch == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (ch != ' ') {
      item += ch;
    }
  }
  return out;
}

// The person at the terminal: a question with its default, answered on one line.
class Prompter {
 public:
  explicit Prompter(bool interactive) : interactive_(interactive) {}
  bool interactive() const { return interactive_; }

  std::string Ask(const std::string& question, const std::string& fallback) {
    if (!interactive_) return fallback;
    std::cout << question << (fallback.empty() ? "" : " [" + fallback + "]") << ": " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) return fallback;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line.empty() ? fallback : line;
  }

  // A key, not echoed: it must not stay on the screen or in a terminal recording.
  std::string AskSecret(const std::string& question) {
    if (!interactive_) return "";
    // Echo goes off before the question shows: a key typed (or pasted) at once is not echoed.
    termios saved{};
    const bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::cout << question << ": " << std::flush;
    std::string line;
    std::getline(std::cin, line);
    if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cout << "\n";
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
  }

 private:
  bool interactive_;
};

// Which systems, from --systems or the prompt: NAME or NAME:KIND (ploomes and milvus are their
// own kinds; an ERP is NAME:totvs).
Result<std::vector<InitSystem>> ChooseSystems(Prompter& ask, const InitOptions& o) {
  const std::string answer =
      ask.Ask("Systems to join, comma-separated (ploomes, milvus, and an ERP as NAME:totvs)", o.systems);
  std::vector<InitSystem> out;
  for (const auto& item : SplitList(answer)) {
    const auto colon = item.find(':');
    const std::string name = item.substr(0, colon);
    const std::string kind = colon == std::string::npos ? name : item.substr(colon + 1);
    if (!FindKind(kind)) {
      return Fail(Error::InvalidArgument(
          fmt::format("'{}': no connector of kind '{}' (kinds: {}; an ERP is NAME:totvs)", item, kind, KindNames())));
    }
    out.push_back(ProposedSystem(name, kind));
  }
  if (out.size() < 2) return Fail(Error::InvalidArgument("ponte joins at least two systems (e.g. ploomes,milvus)"));
  return out;
}

// Where each system is and where its key comes from: a flag, the prompt, or the variable's
// current value in the environment (checked, never written anywhere).
Status DescribeSystems(Prompter& ask, const InitOptions& o, InitPlan& plan) {
  auto urls = PerSystem(o.urls, "--url");
  auto users = PerSystem(o.users, "--user");
  auto key_envs = PerSystem(o.key_envs, "--key-env");
  auto key_files = PerSystem(o.key_files, "--key-file");
  for (const auto* given : {&urls, &users, &key_envs, &key_files}) {
    if (!*given) return Fail(given->error());
  }
  for (auto& s : plan.systems) {
    const std::string what = fmt::format("{} ({})", s.name, FindKind(s.kind)->what);
    if (urls->count(s.name)) s.base_url = urls->at(s.name);
    s.base_url = ask.Ask(fmt::format("{}: API address", what), s.base_url);
    if (!s.base_url.starts_with("https://") && !s.base_url.starts_with("http://")) {
      return Fail(Error::InvalidArgument(fmt::format(
          "{}: the API address must start with https:// (give it with --url {}=https://...)", s.name, s.name)));
    }
    if (s.kind == "totvs") {
      if (users->count(s.name)) s.user = users->at(s.name);
      s.user = ask.Ask(fmt::format("{}: REST user (its password is the key)", what), s.user);
      if (s.user.empty()) return Fail(Error::InvalidArgument(fmt::format("{}: give the ERP's REST user (--user {}=NAME)", s.name, s.name)));
    }
    if (key_envs->count(s.name)) s.key_env = key_envs->at(s.name);
    if (key_files->count(s.name)) s.key_file = key_files->at(s.name);
    const char* in_env = std::getenv(s.key_env.c_str());
    if (!s.key_file.empty() || (in_env && *in_env)) continue;
    s.key = ask.AskSecret(fmt::format("{}: key (not shown; Enter to read it from ${} when ponte runs)", what, s.key_env));
    if (s.key.empty() && !ask.interactive() && !o.no_check) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "no key for {}: set the environment variable {} or give --key-file {}=PATH (or --no-check to write the "
          "configuration without checking)", s.name, s.key_env, s.name)));
    }
  }
  return {};
}

Status ChooseRoutes(Prompter& ask, const InitOptions& o, InitPlan& plan) {
  const auto offered = OfferedRoutes(plan);
  if (offered.empty()) return Fail(Error::InvalidArgument("no route joins these systems"));
  if (ask.interactive()) {
    std::cout << "Routes between these systems:\n";
    for (size_t i = 0; i < offered.size(); ++i) std::cout << fmt::format("  {}. {}\n", i + 1, offered[i]);
  }
  const std::string answer = ask.Ask("Routes to run (numbers or names, comma-separated; all for every one)", o.routes);
  if (answer == "all") {
    plan.routes = offered;
    return {};
  }
  for (const auto& item : SplitList(answer)) {
    std::string name = item;
    if (item.find_first_not_of("0123456789") == std::string::npos) {
      const size_t n = std::stoul(item.substr(0, 6));
      if (n < 1 || n > offered.size()) return Fail(Error::InvalidArgument(fmt::format("no route number {}", item)));
      name = offered[n - 1];
    }
    if (std::find(offered.begin(), offered.end(), name) == offered.end()) {
      return Fail(Error::InvalidArgument(fmt::format("'{}' is not a route between these systems ({})", name, fmt::join(offered, ", "))));
    }
    plan.routes.push_back(name);
  }
  if (plan.routes.empty()) return Fail(Error::InvalidArgument("choose at least one route"));
  return {};
}

Status WritePrivate(const std::string& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  std::ofstream out(path);
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  out << text;
  out.close();
  if (!out || ec) return Fail(Error::Unavailable(fmt::format("cannot write {}", path)));
  return {};
}

// The keys typed at the prompt go where ponte reads them: the unit's environment file, or a
// chmod-600 file beside the configuration.
Status KeepTypedKeys(const InitOptions& o, InitPlan& plan) {
  if (o.systemd) return {};
  const auto dir = std::filesystem::absolute(o.config).parent_path();
  for (auto& s : plan.systems) {
    if (s.key.empty()) continue;
    s.key_file = (dir / (s.name + ".key")).string();
    PONTE_RETURN_IF_ERROR(WritePrivate(s.key_file, s.key + "\n"));
  }
  return {};
}

// The configuration as written, run against the systems: each key answers one call.
int CheckKeys(const InitPlan& plan, const std::string& text) {
  auto config = ParseConfig(text, "the new configuration");
  if (!config) {
    std::cerr << "ponte init: " << config.error().message << "\n";
    return kExitUsage;
  }
  std::map<std::string, std::string> keys;
  for (const auto& s : plan.systems) {
    if (!s.key.empty()) keys[s.name] = s.key;
  }
  const auto scratch = std::filesystem::temp_directory_path() / fmt::format("ponte-init-{}.db", getpid());
  int code = kExitOk;
  {
    auto rt = MakeRuntime(*config, "sqlite:" + scratch.string(), keys);
    if (!rt) {
      std::cerr << "ponte init: " << rt.error().ToString() << "\n";
      code = kExitUsage;
    } else {
      std::cout << "Checking each key with one call:\n";
      code = CheckKeysOnline(**rt, std::cout);
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(scratch.string() + suffix);
  return code;
}

void Init(const InitOptions& o, int& exit_code) {
  const bool interactive = !o.non_interactive;
  if (interactive && !isatty(STDIN_FILENO)) {
    std::cerr << "ponte init: asks its questions at a terminal; from a script, give --non-interactive and the "
                 "answers as flags (ponte init --help)\n";
    exit_code = kExitUsage;
    return;
  }
  if (std::filesystem::exists(o.config) && !o.force) {
    std::cerr << fmt::format("ponte init: {} exists; give --force to replace it, or --config for another file\n", o.config);
    exit_code = kExitUsage;
    return;
  }
  Prompter ask(interactive);
  InitPlan plan;
  auto fail = [&exit_code](const Error& e) {
    std::cerr << "ponte init: " << e.message << "\n";
    exit_code = kExitUsage;
  };
  auto systems = ChooseSystems(ask, o);
  if (!systems) return fail(systems.error());
  plan.systems = *systems;
  if (auto s = ChooseRoutes(ask, o, plan); !s) return fail(s.error());
  // A system no chosen route uses is left out: it would need a key for nothing.
  const Config planned = PlannedConfig(plan);
  std::erase_if(plan.systems, [&](const InitSystem& s) {
    return std::none_of(plan.routes.begin(), plan.routes.end(), [&](const std::string& r) {
      return planned.routes.at(r).from == s.name || planned.routes.at(r).to == s.name;
    });
  });
  if (auto s = DescribeSystems(ask, o, plan); !s) return fail(s.error());
  plan.store = o.store.empty() ? (o.systemd ? "sqlite:/var/lib/ponte/ponte.db" : "sqlite:ponte.db") : o.store;
  if (!o.no_check) {
    if (int code = CheckKeys(plan, ConfigText(plan)); code != kExitOk) {
      const bool keep = interactive && ask.Ask("A key was refused or a system did not answer. Write the files anyway? (y/N)", "N") == "y";
      if (!keep) {
        std::cerr << "ponte init: nothing written; fix the key or address and run ponte init again\n";
        exit_code = code;
        return;
      }
    }
  }
  if (auto kept = KeepTypedKeys(o, plan); !kept) return fail(kept.error());
  std::ofstream(o.config) << ConfigText(plan);
  std::cout << fmt::format("\nWrote {} ({} systems, {} routes).\n", o.config, plan.systems.size(), plan.routes.size());
  if (o.systemd) {
    if (auto s = WritePrivate(o.env_file, EnvironmentText(plan)); !s) return fail(s.error());
    std::cout << fmt::format("Wrote {} (chmod 600): the keys the ponte service reads.\n", o.env_file);
  }
  std::cout << "Next:\n"
            << fmt::format("  ponte probe --config {}          settles what ponte cannot know of your accounts (read-only)\n", o.config)
            << fmt::format("  ponte sync --dry-run --config {} shows what a first sync would do, writing nothing\n", o.config)
            << fmt::format("  ponte sync --once --config {}    runs it\n", o.config);
  if (o.systemd) std::cout << "  systemctl enable --now ponte    starts the service (docs/deploy.md)\n";
}

}  // namespace

void AddInitCommand(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InitOptions>();
  auto* init = app.add_subcommand("init", "Write a first ponte.toml: the systems, their keys (checked) and the routes");
  init->add_option("--config", o->config, "The file to write")->capture_default_str();
  init->add_flag("--non-interactive", o->non_interactive, "Ask nothing: take the answers from the flags (for scripts)");
  init->add_option("--systems", o->systems, "Systems to join: ploomes, milvus, and an ERP as NAME:totvs")->capture_default_str();
  init->add_option("--url", o->urls, "A system's API address, SYSTEM=URL (repeatable)");
  init->add_option("--user", o->users, "An ERP's REST user, SYSTEM=USER");
  init->add_option("--key-env", o->key_envs, "The variable holding a system's key, SYSTEM=VAR (default PONTE_<SYSTEM>_KEY)");
  init->add_option("--key-file", o->key_files, "A file holding a system's key, SYSTEM=PATH");
  init->add_option("--routes", o->routes, "Routes to run: all, or names or numbers, comma-separated")->capture_default_str();
  init->add_option("--store", o->store, "Store URL (default sqlite:ponte.db; with --systemd, /var/lib/ponte/ponte.db)");
  init->add_flag("--systemd", o->systemd, "Also write the service's environment file with the keys typed");
  init->add_option("--env-file", o->env_file, "Where --systemd writes the keys")->capture_default_str();
  init->add_flag("--no-check", o->no_check, "Write without calling the systems to check the keys");
  init->add_flag("--force", o->force, "Replace an existing configuration file");
  init->footer(
      "Keys are never taken on the command line (other users could read them): each comes from its\n"
      "environment variable, a --key-file, or the prompt. A typed key goes to a chmod-600 file beside\n"
      "the configuration, or with --systemd to the environment file; ponte.toml names where it is.\n"
      "Exit codes: 0 written, 2 a wrong answer or a refused key (nothing written), 3 a system unreachable.");
  init->callback([o, &exit_code] { Init(*o, exit_code); });
}

}  // namespace ponte
