#pragma once
// Reads ponte.toml into Config. Unknown keys and wrong types are errors that name the key and
// say what was expected; API keys are never in the file, only the names of the environment
// variables (or files) that hold them.

#include <string>

#include "core/error.h"
#include "sync/config.h"

namespace ponte {

Result<Config> LoadConfigFile(const std::string& path);
Result<Config> ParseConfig(std::string_view toml_text, const std::string& source_name);

// The API key of a system: from key_env, else key_file. FailedPrecondition says which to set.
// A secret from the environment variable `env`, else the first line of `file`. The error names
// `what` and the config keys (config_keys + "_env" / "_file") to set, never a value.
Result<std::string> ReadSecret(const std::string& env, const std::string& file, const std::string& what,
                               const std::string& config_keys);
Result<std::string> ReadApiKey(const SystemConfig& system, const std::string& system_name);

}  // namespace ponte
