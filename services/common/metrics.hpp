// A small thread-safe metrics registry rendered in the Prometheus text exposition format 0.0.4.
//   auto& sent = registry.counter("sangdam_bus_messages_total", {{"topic", "meetings"}});
//   sent.inc();
// A series, once created, lives as long as the registry, so callers on hot paths look it up
// once and keep the reference; updates are lock-free atomics.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sangdam::metrics {

// Label name -> value. Order does not matter: the registry sorts them.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(double amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1) { value_.fetch_sub(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // bounds: upper bounds of the buckets, ascending; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == bounds().size() is the +Inf bucket).
  std::uint64_t bucket(std::size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Request latencies in seconds: 0.5 ms up to 10 s.
const std::vector<double>& latency_buckets();

class Registry {
 public:
  // Returns the series name{labels}, creating it on first use. help is kept from the first
  // call that gives one. Throws sangdam::Error(kInternal) when a name is reused with another
  // type or is not a valid metric name: that is a programming mistake, not bad input.
  Counter& counter(const std::string& name, Labels labels = {}, std::string_view help = {});
  Gauge& gauge(const std::string& name, Labels labels = {}, std::string_view help = {});
  Histogram& histogram(const std::string& name, Labels labels = {},
                       const std::vector<double>& bounds = latency_buckets(),
                       std::string_view help = {});

  // Every family in name order, every series in label order.
  std::string render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, Series> series;  // rendered label set -> series
  };
  Series& find_or_add(const std::string& name, Type type, Labels& labels, std::string_view help,
                      const std::vector<double>* bounds);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace sangdam::metrics
