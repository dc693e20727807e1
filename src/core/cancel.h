// core cancel: the Ctrl-C flag. main() installs the handler; long loops call
// throw_if_cancelled() at safe points, so the error unwinds through RAII transactions and the
// databases are left as they were. Async-signal-safe (one lock-free atomic).
#pragma once

namespace cutover {

/// Installs SIGINT/SIGTERM handlers that set the flag (a second Ctrl-C kills at once).
void install_cancel_handler();
bool cancel_requested();
/// Throws ErrorKind::interrupted when Ctrl-C was pressed.
void throw_if_cancelled();

}  // namespace cutover
