// Fuzzes the readers of WSO2's old XML files: read_xml_settings (every leaf of any of them, as
// config convert reads them) and read_carbon_xml (the keystore settings). Both take a path, so
// the input goes into one memfd read back through /proc/self/fd: no disk traffic per run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"
#include "wso2conf/carbon_xml.h"
#include "wso2conf/xml_settings.h"

namespace {

int g_fd = -1;
std::string g_path;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  g_fd = memfd_create("fuzz.xml", 0);
  if (g_fd < 0) {
    std::perror("memfd_create");
    std::exit(2);
  }
  g_path = "/proc/self/fd/" + std::to_string(g_fd);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (ftruncate(g_fd, 0) != 0 || pwrite(g_fd, data, size, 0) != static_cast<ssize_t>(size)) {
    std::abort();
  }
  try {
    (void)cutover::wso2conf::read_xml_settings(g_path);
  } catch (const cutover::Error&) {
  }
  try {
    (void)cutover::wso2conf::read_carbon_xml(g_path, "/opt/wso2is");
  } catch (const cutover::Error&) {
  }
  return 0;
}
