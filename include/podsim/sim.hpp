#pragma once
// The engine in one include: clock, processes, events, resources, randomness, statistics.

#include "podsim/sim/event.hpp"
#include "podsim/sim/event_queue.hpp"
#include "podsim/sim/fifo_server.hpp"
#include "podsim/sim/process.hpp"
#include "podsim/sim/simulation.hpp"
#include "podsim/sim/task.hpp"
#include "podsim/sim/time.hpp"
#include "podsim/sim/timer.hpp"
#include "podsim/sim/wait.hpp"
