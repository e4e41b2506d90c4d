// Network configs (store/networks.h): podman's format both ways, what create picks (subnet,
// gateway, interface), its refusals, the default network, lookups and removal, on real files.
#include "store/networks.h"

#include <gtest/gtest.h>

#include <set>

#include "common/fs.h"
#include "tests/support/error_of.h"
#include "tests/support/store_test_util.h"

namespace dabba {
namespace {

using testing_support::error_of;

NetworkRequest named(const std::string& name, const std::string& id = std::string(64, 'a')) {
  NetworkRequest r;
  r.name = name;
  r.id = id;
  return r;
}

class NetworksTest : public ::testing::Test {
 protected:
  testing::Scratch scratch_;
  std::string root_ = scratch_ / "store";
};

TEST_F(NetworksTest, ADecodedConfigIsTheOneEncoded) {
  Network n;
  n.name = "app";
  n.id = std::string(64, 'c');
  n.interface = "podman3";
  n.created = "2026-12-04T17:02:12.391101177Z";
  n.subnets = {{"10.89.2.0/24", "10.89.2.1"}};
  n.internal = true;
  n.dns_enabled = true;
  n.labels = {{"k", "v"}};
  n.options = {{"mtu", "1400"}};
  EXPECT_EQ(decode_network(encode_network(n, 5)), n);
}

TEST_F(NetworksTest, PodmansOwnFileReads) {
  // As podman 4.3 (netavark backend) wrote it here for `network create app`.
  const Network n = decode_network(R"({
     "name": "app",
     "id": "34fcda70e6514df0319eee15f7e82600859dc1f40b72f097cb886c5740b5c4c6",
     "driver": "bridge",
     "network_interface": "podman1",
     "created": "2026-12-04T17:02:12.391101177Z",
     "subnets": [ { "subnet": "10.89.0.0/24", "gateway": "10.89.0.1" } ],
     "ipv6_enabled": false,
     "internal": false,
     "dns_enabled": true,
     "ipam_options": { "driver": "host-local" }
})");
  EXPECT_EQ(n.name, "app");
  EXPECT_EQ(n.interface, "podman1");
  ASSERT_EQ(n.subnets.size(), 1u);
  EXPECT_EQ(n.subnets[0].gateway, "10.89.0.1");
  EXPECT_TRUE(n.dns_enabled);
  EXPECT_EQ(error_of([] { decode_network("{\"id\": 1}"); }).code(), Errc::kCorrupt);
}

TEST_F(NetworksTest, CreatePicksPodmansSubnetsGatewaysAndInterfaces) {
  const Network a = create_network(root_, named("a"));
  EXPECT_EQ(a.subnets, (std::vector<NetworkSubnet>{{"10.89.0.0/24", "10.89.0.1"}}));
  EXPECT_EQ(a.interface, "podman1");
  EXPECT_TRUE(a.dns_enabled);
  NetworkRequest internal = named("b");
  internal.internal = true;
  const Network b = create_network(root_, internal);
  EXPECT_EQ(b.subnets, (std::vector<NetworkSubnet>{{"10.89.1.0/24", ""}}));  // no way out
  EXPECT_EQ(b.interface, "podman2");
  NetworkRequest own = named("c");
  own.subnet = "10.90.0.7/24";  // the network's address is kept, as Go's ParseCIDR
  own.gateway = "10.90.0.254";
  EXPECT_EQ(create_network(root_, own).subnets,
            (std::vector<NetworkSubnet>{{"10.90.0.0/24", "10.90.0.254"}}));
  // A removed network's subnet and interface are free again.
  remove_network(root_, "a");
  const Network d = create_network(root_, named("d"));
  EXPECT_EQ(d.subnets[0].subnet, "10.89.0.0/24");
  EXPECT_EQ(d.interface, "podman1");
  // On disk as podman keeps them.
  EXPECT_TRUE(path_exists(root_ + "/networks/d.json"));
  EXPECT_EQ(decode_network(read_file(root_ + "/networks/d.json")), d);
}

TEST_F(NetworksTest, CreateRefusesWhatPodmanRefuses) {
  create_network(root_, named("app"));
  Error taken = error_of([&] { create_network(root_, named("app")); });
  EXPECT_EQ(taken.code(), Errc::kAlreadyExists);
  EXPECT_STREQ(taken.what(), "network name app already used: network already exists");
  EXPECT_EQ(error_of([&] { create_network(root_, named("podman")); }).code(),
            Errc::kAlreadyExists);
  EXPECT_STREQ(error_of([&] { create_network(root_, named("b@d")); }).what(),
               "network name b@d invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid "
               "argument");
  EXPECT_EQ(error_of([&] { create_network(root_, named("host")); }).code(),
            Errc::kInvalidArgument);
  NetworkRequest overlap = named("o");
  overlap.subnet = "10.88.5.0/24";  // inside the default network's 10.88.0.0/16
  EXPECT_STREQ(error_of([&] { create_network(root_, overlap); }).what(),
               "subnet 10.88.5.0/24 is already used on the host or by another config");
  NetworkRequest outside = named("g");
  outside.subnet = "10.91.0.0/24";
  outside.gateway = "10.92.0.1";
  EXPECT_EQ(error_of([&] { create_network(root_, outside); }).code(), Errc::kInvalidArgument);
  NetworkRequest bad = named("s");
  bad.subnet = "10.91.0.0";
  EXPECT_EQ(error_of([&] { create_network(root_, bad); }).code(), Errc::kInvalidArgument);
  NetworkRequest macvlan = named("m");
  macvlan.driver = "macvlan";
  EXPECT_EQ(error_of([&] { create_network(root_, macvlan); }).code(), Errc::kInvalidArgument);
  EXPECT_FALSE(path_exists(root_ + "/networks/o.json"));
}

TEST_F(NetworksTest, TheDefaultNetworkAlwaysExistsAndStays) {
  const std::vector<Network> all = list_networks(root_);  // no networks dir yet
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "podman");
  EXPECT_EQ(all[0].id, "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9");
  EXPECT_EQ(all[0].subnets, (std::vector<NetworkSubnet>{{"10.88.0.0/16", "10.88.0.1"}}));
  EXPECT_FALSE(all[0].dns_enabled);
  EXPECT_STREQ(error_of([&] { remove_network(root_, "podman"); }).what(),
               "default network podman cannot be removed");
}

TEST_F(NetworksTest, FoundByNameIdOrUniquePrefixAndListedByName) {
  create_network(root_, named("zeta", "ab" + std::string(62, '1')));
  create_network(root_, named("alpha", "ab" + std::string(62, '2')));
  EXPECT_EQ(find_network(root_, "zeta")->name, "zeta");
  EXPECT_EQ(find_network(root_, "ab2")->name, "alpha");
  EXPECT_FALSE(find_network(root_, "ab"));  // ambiguous
  EXPECT_FALSE(find_network(root_, "nope"));
  std::vector<std::string> names;
  for (const Network& n : list_networks(root_)) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "podman", "zeta"}));
  Error missing = error_of([&] { remove_network(root_, "nope"); });
  EXPECT_EQ(missing.code(), Errc::kNotFound);
  EXPECT_STREQ(missing.what(), "unable to find network with name or ID nope: network not found");
}

TEST_F(NetworksTest, AddressesAreLeasedRoundRobinAndKeptPerContainer) {
  Network app = create_network(root_, named("app"));  // 10.89.0.0/24, gateway .1
  std::set<std::string> alive = {"c1", "c2", "c3"};
  auto live = [&](const std::string& id) { return alive.count(id) > 0; };
  EXPECT_EQ(lease_address(root_, app, "c1", "", live), "10.89.0.2");
  EXPECT_EQ(lease_address(root_, app, "c2", "", live), "10.89.0.3");
  EXPECT_EQ(lease_address(root_, app, "c1", "", live), "10.89.0.2");  // its own, kept
  alive.erase("c1");  // removed: its address is free, but not given again at once
  EXPECT_EQ(lease_address(root_, app, "c3", "", live), "10.89.0.4");
  // Asked for: given when free, podman's error when another live container has it.
  EXPECT_EQ(lease_address(root_, app, "c4", "10.89.0.2", live), "10.89.0.2");
  alive.insert("c4");
  Error e = error_of([&] { lease_address(root_, app, "c5", "10.89.0.3", live); });
  EXPECT_EQ(e.code(), Errc::kConflict);
  EXPECT_NE(std::string(e.what()).find("requested ip address 10.89.0.3 is already allocated to "
                                       "container ID c2"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { lease_address(root_, app, "c5", "10.90.0.3", live); }).code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(error_of([&] { lease_address(root_, app, "c5", "10.89.0.1", live); }).code(),
            Errc::kInvalidArgument);  // the gateway
  // A full subnet is a clear error.
  NetworkRequest tiny = named("tiny", std::string(64, 'b'));
  tiny.subnet = "10.91.0.0/30";  // .1 gateway, .2 the only address
  Network t = create_network(root_, tiny);
  alive.insert("t1");
  EXPECT_EQ(lease_address(root_, t, "t1", "", live), "10.91.0.2");
  EXPECT_EQ(error_of([&] { lease_address(root_, t, "t2", "", live); }).code(), Errc::kConflict);
  remove_network(root_, "tiny");  // its leases go with it
  EXPECT_FALSE(path_exists(root_ + "/networks/leases/tiny"));
}

}  // namespace
}  // namespace dabba
