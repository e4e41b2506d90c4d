// ContainerCgroup on the real kernel. v1 placement is covered end to end by
// tests/integration/runner_cgroups.sh (this machine's limits live in v1); here the v2 side runs
// for real on the machine's (otherwise empty) cgroup2 mount, with the one controller it offers
// (hugetlb) standing in for memory/pids/cpu. Root only; skipped otherwise.
#include "runner/cgroups.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "common/error.h"
#include "common/fs.h"

namespace dabba::runner {
namespace {

using ::testing::HasSubstr;

std::string unified_mount() {
  for (const auto& h : CgroupHost::discover("").hierarchies)
    if (h.v2) return h.mount_point;
  return "";
}

bool has_word(const std::string& text, const std::string& word) {
  size_t pos = 0;
  while ((pos = text.find(word, pos)) != std::string::npos) {
    bool start = pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '\n';
    size_t end = pos + word.size();
    bool stop = end == text.size() || text[end] == ' ' || text[end] == '\n';
    if (start && stop) return true;
    pos = end;
  }
  return false;
}

pid_t sleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  return pid;
}

void reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int st;
  ::waitpid(pid, &st, 0);
}

class CgroupV2 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    mount_ = unified_mount();
    if (mount_.empty()) GTEST_SKIP() << "no cgroup2 mount";
    std::string controllers;
    read_file_if_exists(mount_ + "/cgroup.controllers", controllers);
    if (!has_word(controllers, "hugetlb")) GTEST_SKIP() << "cgroup2 offers no hugetlb";
    // The parent a delegation would give us; the root must pass hugetlb down to it.
    std::string root_control = read_file(mount_ + "/cgroup.subtree_control");
    // Left enabled afterwards: CTest runs these cases in parallel processes, and one turning it
    // off under another breaks that one (ENOENT on its parent's subtree_control). An enabled
    // hugetlb controller limits nothing by itself.
    if (!has_word(root_control, "hugetlb"))
      write_all(open_file(mount_ + "/cgroup.subtree_control", O_WRONLY).get(), "+hugetlb");
    parent_ = mount_ + "/dabba-runner-test-" + std::to_string(::getpid());
    make_dirs(parent_);
  }
  void TearDown() override {
    if (!parent_.empty()) ::rmdir(parent_.c_str());
  }
  std::string mount_, parent_;
};

TEST_F(CgroupV2, DiscoverSeesTheUnifiedMountAndItsControllers) {
  CgroupHost host = CgroupHost::discover("/" + basename_of(parent_));
  auto it = std::find_if(host.hierarchies.begin(), host.hierarchies.end(),
                         [](const CgroupHierarchy& h) { return h.v2; });
  ASSERT_NE(it, host.hierarchies.end());
  EXPECT_EQ(it->mount_point, mount_);
  EXPECT_THAT(it->controllers, ::testing::Contains("hugetlb"));
}

TEST_F(CgroupV2, AControllerV2DoesNotOfferIsAClearError) {
  // Pretend there is no v1 so v2 must serve, and that v2 does not offer pids (as here, where
  // pids is bound to v1; a host whose systemd delegates pids to v2 must not change the case).
  CgroupHost host = CgroupHost::discover("/" + basename_of(parent_));
  std::vector<CgroupHierarchy> v2_only;
  for (auto h : host.hierarchies) {
    if (!h.v2) continue;
    std::erase(h.controllers, std::string("pids"));
    v2_only.push_back(h);
  }
  CgroupLimits limits;
  limits.pids_max = 10;
  try {
    plan_cgroups(limits, "c", "/" + basename_of(parent_), v2_only, host.membership);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::kUnsupported);
    EXPECT_THAT(e.what(), HasSubstr("'pids'"));
  }
}

TEST_F(CgroupV2, CreateEnableMoveAndRemove) {
  CgroupPlan plan;
  plan.dirs.push_back(CgroupDir{true, parent_ + "/dabba-c", {"+hugetlb"}, {}, {}});
  auto cg = ContainerCgroup::create(plan);
  EXPECT_TRUE(has_word(read_file(parent_ + "/cgroup.subtree_control"), "hugetlb"));
  struct stat st;
  ASSERT_EQ(::stat((parent_ + "/dabba-c").c_str(), &st), 0);

  pid_t pid = sleeper();
  cg->add_process(pid);
  std::string membership = read_file("/proc/" + std::to_string(pid) + "/cgroup");
  EXPECT_THAT(membership, HasSubstr("0::/" + basename_of(parent_) + "/dabba-c\n"));
  EXPECT_FALSE(cg->oom_killed());
  reap(pid);
  cg->remove();
  EXPECT_NE(::stat((parent_ + "/dabba-c").c_str(), &st), 0);
}

TEST_F(CgroupV2, ParentWithItsOwnProcessesCannotDelegate) {
  // cgroup v2's "no internal processes": controllers can only be enabled for a cgroup's children
  // while the cgroup itself holds no process. A caller sitting in its own cgroup hits this.
  pid_t pid = sleeper();
  write_all(open_file(parent_ + "/cgroup.procs", O_WRONLY).get(), std::to_string(pid));
  CgroupPlan plan;
  plan.dirs.push_back(CgroupDir{true, parent_ + "/dabba-c", {"+hugetlb"}, {}, {}});
  try {
    ContainerCgroup::create(plan);
    ADD_FAILURE() << "enabling a controller in a cgroup with processes must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.sys_errno(), EBUSY);
    EXPECT_THAT(e.what(), HasSubstr("has processes of its own"));
    EXPECT_THAT(e.hint(), HasSubstr("Delegate=yes"));
  }
  reap(pid);
}

TEST_F(CgroupV2, LimitWrittenAndRemovedWithTheCgroup) {
  // hugetlb.<size>.max exists for each huge page size the kernel has.
  std::string limit_file;
  {
    CgroupPlan plan;
    plan.dirs.push_back(CgroupDir{true, parent_ + "/probe", {"+hugetlb"}, {}, {}});
    auto probe = ContainerCgroup::create(plan);
    for (const char* f : {"hugetlb.2MB.max", "hugetlb.1GB.max"})
      if (path_exists(parent_ + "/probe/" + f)) limit_file = f;
  }
  if (limit_file.empty()) GTEST_SKIP() << "no huge page size";
  CgroupPlan plan;
  plan.dirs.push_back(CgroupDir{true, parent_ + "/dabba-c", {"+hugetlb"}, {{limit_file, "0"}}, {}});
  {
    auto cg = ContainerCgroup::create(plan);
    EXPECT_EQ(read_file(parent_ + "/dabba-c/" + limit_file), "0\n");
  }
  EXPECT_FALSE(path_exists(parent_ + "/dabba-c"));
}

TEST(CgroupV1, NoLimitsNoCgroupWork) {
  EXPECT_EQ(ContainerCgroup::create_for(CgroupLimits{}, "dabba-x", ""), nullptr);
}

}  // namespace
}  // namespace dabba::runner
