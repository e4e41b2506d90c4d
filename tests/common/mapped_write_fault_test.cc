// explain_mapped_write_faults: a write fault in a shared writable file mapping the file cannot
// back ends as an error naming the file (exit 125); any other SIGBUS keeps its default action.
// (A real full quota: tests/integration/store_filesystems.sh.)
#include "common/mapped_write_fault.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace dabba {
namespace {

// Forks a child that installs the handler, maps a file one page long (writable or not), cuts the
// file to 0 bytes and touches the page: a SIGBUS the filesystem raises as BUS_ADRERR.
int touch_cut_mapping(bool writable, const std::string& path) {
  pid_t child = ::fork();
  if (child == 0) {
    ::close(STDERR_FILENO);  // the message goes nowhere here
    explain_mapped_write_faults();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ::ftruncate(fd, 4096) != 0) ::_exit(2);
    void* p = ::mmap(nullptr, 4096, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED || ::ftruncate(fd, 0) != 0) ::_exit(2);
    if (writable) {
      *static_cast<volatile char*>(p) = 1;
    } else {
      (void)*static_cast<volatile char*>(p);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return status;
}

TEST(MappedWriteFault, AWriteFaultInASharedWritableMappingIsAnError) {
  char dir[] = "/tmp/dabba-sigbus-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string file = std::string(dir) + "/lock.mdb";
  int status = touch_cut_mapping(true, file);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 125);
  status = touch_cut_mapping(false, file);
  ASSERT_TRUE(WIFSIGNALED(status)) << "a read-only mapping's SIGBUS is no full disk: " << status;
  EXPECT_EQ(WTERMSIG(status), SIGBUS);
  ::unlink(file.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace dabba
