#pragma once
// What one kind of system needs besides the settings every system has (a mapping option, a
// message version, where a document goes): defined, parsed and read by that kind's connector,
// carried opaquely by the configuration.

namespace ponte {

struct ConnectorSettings {
  virtual ~ConnectorSettings() = default;
};

}  // namespace ponte
