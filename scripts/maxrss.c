// For npm run bench: runs a command and prints its peak resident memory (KiB) on stderr.
// A child's ru_maxrss also counts the memory of the process it was started from, up to its exec:
// this launcher is static and small, so that floor is a few hundred KiB, the same for every
// command measured (python3 or Node as the launcher would add tens of MiB).
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv) {
  pid_t pid;
  if (argc < 2 || posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0) return 127;
  int status;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) < 0) return 127;
  fprintf(stderr, "%ld\n", usage.ru_maxrss);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
