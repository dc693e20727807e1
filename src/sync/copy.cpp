#include "sync/copy.h"

#include "core/error.h"

namespace cutover::sync {

// Issue 13: replaced by the parallel copy before this issue is resolved.
CopyResult copy(const SyncConfig& /*config*/, const CopyOptions& /*options*/,
                const std::function<void(const CopyProgress&)>& /*on_progress*/) {
  throw Error(ErrorKind::unsupported, "sync copy is not built yet");
}

CopyState copy_state(db::Connection& /*target*/, const std::string& /*journal_id*/) {
  return CopyState::none;
}

}  // namespace cutover::sync
