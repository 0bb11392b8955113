# Shared by setup.sh and run-tests.sh: install the Debian packages mnsim needs
# (when root; otherwise say what to install) and build with CMake.
MNSIM_PACKAGES="libsimgrid-dev libhdf5-dev hdf5-tools gnuplot-nox libgsl-dev libssl-dev cmake gcc make pkg-config"
# what only the test suite needs: the fuzzers' compiler and runtime, valgrind, a Slurm to submit to,
# Debian's h5py and pandas for the Python examples in analysis/examples/, and linux-perf for the record
# test (tests/record_tests.sh records a real program; without perf that test is skipped)
MNSIM_TEST_PACKAGES="clang libclang-rt-14-dev valgrind slurmctld slurmd slurm-client munge python3-h5py python3-pandas linux-perf"

# mnsim_missing_packages [PACKAGES]
mnsim_missing_packages() {
  local p missing=""
  for p in ${1:-$MNSIM_PACKAGES}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  echo "$missing"
}

# mnsim_install_deps [PACKAGES]
mnsim_install_deps() {
  local missing
  missing=$(mnsim_missing_packages "${1:-$MNSIM_PACKAGES}")
  [ -z "$missing" ] && return 0
  echo "mnsim: installing Debian packages:$missing"
  if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq
    # shellcheck disable=SC2086
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  else
    echo "mnsim: missing packages:$missing" >&2
    echo "mnsim: run as root, or: sudo apt-get install$missing" >&2
    return 1
  fi
}

# mnsim_build DIR [cmake options...]
mnsim_build() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
