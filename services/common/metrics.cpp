#include "services/common/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "matching/error.hpp"

namespace sangdam::metrics {

namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

// Label values are escaped as the exposition format asks: backslash, quote, newline.
std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// "a=\"x\",b=\"y\"" without braces, so a histogram can append le="..." to it.
std::string render_labels(const Labels& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    if (!out.empty()) out += ',';
    out += key;
    out += "=\"";
    out += escape_label(value);
    out += '"';
  }
  return out;
}

std::string format_number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  // Shortest text that reads back as the same double: 0.1 stays "0.1".
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

void append_sample(std::string& out, const std::string& name, const std::string& labels,
                   double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += format_number(value);
  out += '\n';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::observe(double value) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

Registry::Series& Registry::find_or_add(const std::string& name, Type type, Labels& labels,
                                        std::string_view help, const std::vector<double>* bounds) {
  if (!valid_name(name)) {
    throw Error(ErrorCode::kInternal, "invalid_metric_name", "not a metric name: " + name);
  }
  for (const auto& label : labels) {
    if (!valid_name(label.first) || label.first == "le") {
      throw Error(ErrorCode::kInternal, "invalid_metric_label",
                  "not a label name: " + label.first + " on " + name);
    }
  }
  std::sort(labels.begin(), labels.end());
  std::string key = render_labels(labels);

  std::lock_guard lock(mutex_);
  auto [family_it, created] = families_.try_emplace(name, Family{type, std::string(help), {}});
  Family& family = family_it->second;
  if (!created && family.type != type) {
    throw Error(ErrorCode::kInternal, "metric_type_mismatch",
                "metric " + name + " already registered with another type");
  }
  if (family.help.empty()) family.help = help;
  auto [series_it, series_created] = family.series.try_emplace(key);
  Series& series = series_it->second;
  if (series_created) {
    switch (type) {
      case Type::kCounter:
        series.counter = std::make_unique<Counter>();
        break;
      case Type::kGauge:
        series.gauge = std::make_unique<Gauge>();
        break;
      case Type::kHistogram:
        series.histogram = std::make_unique<Histogram>(*bounds);
        break;
    }
  }
  return series;
}

Counter& Registry::counter(const std::string& name, Labels labels, std::string_view help) {
  return *find_or_add(name, Type::kCounter, labels, help, nullptr).counter;
}

Gauge& Registry::gauge(const std::string& name, Labels labels, std::string_view help) {
  return *find_or_add(name, Type::kGauge, labels, help, nullptr).gauge;
}

Histogram& Registry::histogram(const std::string& name, Labels labels,
                               const std::vector<double>& bounds, std::string_view help) {
  return *find_or_add(name, Type::kHistogram, labels, help, &bounds).histogram;
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, family] : families_) {
    if (!family.help.empty()) {
      out += "# HELP " + name + ' ';
      // HELP text escapes only backslash and newline.
      for (char c : family.help) out += c == '\n' ? std::string("\\n") : std::string(1, c);
      out += '\n';
    }
    static constexpr const char* kTypeNames[] = {"counter", "gauge", "histogram"};
    out += "# TYPE " + name + ' ' + kTypeNames[static_cast<int>(family.type)] + '\n';
    for (const auto& [labels, series] : family.series) {
      if (series.counter) append_sample(out, name, labels, series.counter->value());
      if (series.gauge) append_sample(out, name, labels, series.gauge->value());
      if (!series.histogram) continue;
      const Histogram& h = *series.histogram;
      std::string prefix = labels.empty() ? std::string() : labels + ',';
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i <= h.bounds().size(); ++i) {
        cumulative += h.bucket(i);
        double le = i < h.bounds().size() ? h.bounds()[i] : INFINITY;
        append_sample(out, name + "_bucket", prefix + "le=\"" + format_number(le) + '"',
                      static_cast<double>(cumulative));
      }
      append_sample(out, name + "_sum", labels, h.sum());
      // The +Inf bucket total, not h.count(): both are read without a lock and must agree.
      append_sample(out, name + "_count", labels, static_cast<double>(cumulative));
    }
  }
  return out;
}

}  // namespace sangdam::metrics
