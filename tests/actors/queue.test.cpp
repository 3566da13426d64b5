// Tests of QueueProxy and JoinableQueueProxy: order, bounds, Empty and Full
// with and without timeouts, waiting across threads and processes,
// task_done/join.

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>
#include <vector>

#include <mpactor/mpactor.hpp>

#include "eventually.hpp"

using namespace std::chrono_literals;
using mpactor_test::eventually;
using mpactor::json;
using clock_type = std::chrono::steady_clock;

TEST_CASE("A queue hands items out in the order they were put") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  CHECK(sut.empty());
  CHECK(sut.qsize() == 0);
  sut.put(1);
  sut.put("two");
  sut.put(json{{"three", 3}});
  CHECK(sut.qsize() == 3);
  CHECK_FALSE(sut.empty());
  CHECK_FALSE(sut.full()); // unbounded
  CHECK(sut.get() == 1);
  CHECK(sut.get<std::string>() == "two");
  CHECK(sut.get() == json{{"three", 3}});
  CHECK(sut.empty());
}

TEST_CASE("get_nowait on an empty queue raises Empty at once") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  CHECK_THROWS_AS(sut.get_nowait(), mpactor::Empty);
  CHECK_THROWS_AS(sut.get(false), mpactor::Empty);
  sut.put_nowait(7);
  CHECK(sut.get_nowait() == 7);
}

TEST_CASE("put_nowait on a full queue raises Full and the queue keeps its items") {
  auto m = mpactor::Manager();
  auto sut = m.Queue(2);
  sut.put_nowait(1);
  sut.put(2, false);
  CHECK(sut.full());
  CHECK_THROWS_AS(sut.put_nowait(3), mpactor::Full);
  CHECK(sut.qsize() == 2);
  CHECK(sut.get() == 1);
  CHECK_FALSE(sut.full());
}

TEST_CASE("A get with a timeout on an empty queue raises Empty after about the timeout") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  auto t0 = clock_type::now();
  CHECK_THROWS_AS(sut.get(true, 100ms), mpactor::Empty);
  auto took = clock_type::now() - t0;
  // Tolerance: never early (the server's timer starts after the request
  // arrived, so at most clock granularity early); late by under 900 ms even
  // on a loaded 2-core machine.
  CHECK(took >= 95ms);
  CHECK(took < 1s);
}

TEST_CASE("A put with a timeout on a full queue raises Full after about the timeout") {
  auto m = mpactor::Manager();
  auto sut = m.Queue(1);
  sut.put(1);
  auto t0 = clock_type::now();
  CHECK_THROWS_AS(sut.put(2, true, 100ms), mpactor::Full);
  auto took = clock_type::now() - t0;
  // Tolerance as for get: not early, and late by under 900 ms.
  CHECK(took >= 95ms);
  CHECK(took < 1s);
  CHECK(sut.qsize() == 1);
  CHECK(sut.get() == 1);
  CHECK(sut.empty()); // the timed-out item was not added later
}

TEST_CASE("A zero timeout behaves like a non-blocking call") {
  auto m = mpactor::Manager();
  auto sut = m.Queue(1);
  CHECK_THROWS_AS(sut.get(true, 0ms), mpactor::Empty);
  sut.put(1);
  CHECK_THROWS_AS(sut.put(2, true, 0ms), mpactor::Full);
  CHECK(sut.get(true, 0ms) == 1);
}

TEST_CASE("A blocked get in one thread receives the item another thread puts") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  json got;
  std::thread getter([&] { got = sut.get(true, 5s); });
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; })); // the get waits in the server
  sut.put("hello");
  getter.join();
  CHECK(got == "hello");
  CHECK(sut.empty());
}

TEST_CASE("A blocked put in one thread completes when another thread gets") {
  auto m = mpactor::Manager();
  auto sut = m.Queue(1);
  sut.put(1);
  bool ok = false;
  std::thread putter([&] {
    sut.put(2, true, 5s);
    ok = true;
  });
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; })); // the put waits in the server
  CHECK(sut.get(true, 5s) == 1);
  CHECK(sut.get(true, 5s) == 2); // waits for the putter's item
  putter.join();
  CHECK(ok);
}

TEST_CASE("A child process consumes what the parent produces and answers on another queue") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  auto answers = m.Queue();
  mpactor::Process p([sut, answers] {
    for (;;) {
      auto item = sut.get(true, 5s);
      if (item.is_null())
        return;
      answers.put(item.get<int>() * 10);
    }
  });
  p.start();
  for (int i = 1; i <= 5; ++i)
    sut.put(i);
  sut.put(nullptr);
  for (int i = 1; i <= 5; ++i)
    CHECK(answers.get(true, 5s) == i * 10);
  REQUIRE(p.join(5s));
  CHECK(p.exitcode() == 0);
}

TEST_CASE("Several producer processes fill one bounded queue and nothing is lost") {
  auto m = mpactor::Manager();
  auto sut = m.Queue(3);
  std::vector<mpactor::Process> ps;
  for (int i = 0; i < 3; ++i)
    ps.emplace_back([sut, i] {
      for (int k = 0; k < 10; ++k)
        sut.put(i * 100 + k, true, 5s);
    });
  for (auto& p : ps)
    p.start();
  long sum = 0;
  for (int n = 0; n < 30; ++n)
    sum += sut.get<long>(true, 5s);
  for (auto& p : ps) {
    REQUIRE(p.join(5s));
    CHECK(p.exitcode() == 0);
  }
  CHECK(sum == 10 * (0 + 100 + 200) + 3 * 45);
  CHECK(sut.empty());
}

TEST_CASE("task_done for each item lets join return") {
  auto m = mpactor::Manager();
  auto sut = m.JoinableQueue();
  CHECK(sut.join(0ms)); // nothing unfinished
  sut.put(1);
  sut.put(2);
  CHECK_FALSE(sut.join(50ms));
  sut.get();
  sut.task_done();
  CHECK_FALSE(sut.join(0ms));
  sut.get();
  sut.task_done();
  CHECK(sut.join(0ms));
  sut.join(); // returns at once
}

TEST_CASE("task_done called more often than items were put raises ValueError") {
  auto m = mpactor::Manager();
  auto sut = m.JoinableQueue();
  CHECK_THROWS_AS(sut.task_done(), mpactor::ValueError);
  sut.put(1);
  sut.get();
  sut.task_done();
  CHECK_THROWS_AS(sut.task_done(), mpactor::ValueError);
}

TEST_CASE("join waits until a worker process marks every item done") {
  auto m = mpactor::Manager();
  auto sut = m.JoinableQueue();
  auto done = m.list();
  for (int i = 0; i < 5; ++i)
    sut.put(i);
  mpactor::Process worker([sut, done] {
    for (int i = 0; i < 5; ++i) {
      done.append(sut.get(true, 5s));
      sut.task_done();
    }
  });
  worker.start();
  CHECK(sut.join(5s));
  CHECK(done.size() == 5); // every item was handled before join returned
  REQUIRE(worker.join(5s));
  CHECK(worker.exitcode() == 0);
}

TEST_CASE("A JoinableQueue is also a bounded queue") {
  auto m = mpactor::Manager();
  auto sut = m.JoinableQueue(1);
  sut.put(1);
  CHECK(sut.full());
  CHECK_THROWS_AS(sut.put_nowait(2), mpactor::Full);
  CHECK(sut.get_nowait() == 1);
  CHECK_THROWS_AS(sut.get_nowait(), mpactor::Empty);
}

TEST_CASE("A plain Queue has no task_done") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  CHECK_THROWS_AS(sut.call("task_done"), mpactor::AttributeError);
}

namespace {

std::vector<json> numbers(int from, int to) {
  std::vector<json> out;
  for (int i = from; i < to; ++i)
    out.push_back(i);
  return out;
}

} // namespace

TEST_CASE("put_many puts in order and get_many takes up to its max, in order") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  sut.put(0);
  sut.put_many(numbers(1, 10));
  CHECK(sut.qsize() == 10);
  CHECK(sut.get_many(4) == numbers(0, 4));
  CHECK(sut.get() == 4);
  CHECK(sut.get_many(100) == numbers(5, 10)); // what is there, without waiting for more
  CHECK(sut.empty());
  sut.put_many({});
  CHECK(sut.empty());
  CHECK_THROWS_AS(sut.get_many(0), mpactor::ValueError);
}

TEST_CASE("get_many on an empty queue raises Empty like get, or waits for the first item") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  CHECK_THROWS_AS(sut.get_many(5, false), mpactor::Empty);
  CHECK_THROWS_AS(sut.get_many(5, true, 50ms), mpactor::Empty);
  std::vector<json> got;
  std::thread getter([&] { got = sut.get_many(5, true, 5s); });
  REQUIRE(eventually([&] { return sut.n_waiting() == 1; }));
  sut.put_many(numbers(0, 8)); // the waiting getter takes up to its max at once
  getter.join();
  CHECK(got == numbers(0, 5));
  CHECK(sut.get_many(5) == numbers(5, 8));
}

TEST_CASE("put_many on a bounded queue waits for room, keeps order, or raises Full saying how many went in") {
  auto m = mpactor::Manager();
  auto sut = m.Queue(3);
  sut.put(0);
  try {
    sut.put_many(numbers(1, 6), false);
    FAIL("put_many on a bounded queue without room must raise Full");
  } catch (const mpactor::Full& e) {
    CHECK(std::string{e.what()}.find("2 of 5") != std::string::npos);
  }
  CHECK(sut.get_many(10) == numbers(0, 3)); // the two that fitted stay in
  CHECK_THROWS_AS(sut.put_many(numbers(0, 5), true, 50ms), mpactor::Full);
  CHECK(sut.get_many(10) == numbers(0, 3));

  std::thread putter([&] { sut.put_many(numbers(10, 17), true, 5s); });
  std::vector<json> got;
  while (got.size() < 7) {
    auto part = sut.get_many(2, true, 5s);
    REQUIRE_FALSE(part.empty());
    got.insert(got.end(), part.begin(), part.end());
  }
  putter.join();
  CHECK(got == numbers(10, 17));
  CHECK(sut.empty());
}

TEST_CASE("Items put by a child that exited are all there for the parent after join") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  mpactor::Process child([sut] {
    sut.put(-1);
    for (int i = 0; i < 2000; i += 100)
      sut.put_many(numbers(i, i + 100));
  });
  child.start();
  REQUIRE(child.join(20s));
  REQUIRE(child.exitcode() == 0);
  CHECK(sut.qsize() == 2001); // nothing in flight: the child's calls all completed
  CHECK(sut.get_nowait() == -1);
  std::vector<json> got;
  while (!sut.empty())
    for (auto& x : sut.get_many(333, false))
      got.push_back(x);
  CHECK(got == numbers(0, 2000));
}

TEST_CASE("A JoinableQueue counts put_many items as unfinished and get_many as taken") {
  auto m = mpactor::Manager();
  auto sut = m.JoinableQueue();
  sut.put_many(numbers(0, 3));
  CHECK_FALSE(sut.join(10ms));
  CHECK(sut.get_many(3).size() == 3);
  for (int i = 0; i < 3; ++i)
    sut.task_done();
  CHECK(sut.join(1s));
  CHECK_THROWS_AS(sut.task_done(), mpactor::ValueError);
}

TEST_CASE("put_many of something that is not a list surfaces as TypeError at the call") {
  auto m = mpactor::Manager();
  auto sut = m.Queue();
  mpactor::Batch batch;
  auto f = batch.add(sut, "put_many", {{"items", 5}});
  batch.run();
  CHECK_THROWS_AS(f.get(), mpactor::TypeError);
  CHECK(sut.empty());
}
