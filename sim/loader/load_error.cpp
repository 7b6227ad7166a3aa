#include "podsim/loader/load_error.hpp"
