#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "engine/runner.h"

namespace infinity_sync {

// The live line on stderr while checks run ("⠋ checks: auth ✓  git …  2/5"),
// drawn only on a terminal and erased when done. Thread-safe.
class ProgressLine {
 public:
  ProgressLine(bool enabled, bool fancy, std::vector<CheckSpec> specs);
  ~ProgressLine();
  RunObserver Observer();
  void Finish();

 private:
  void Draw();

  bool enabled_;
  bool fancy_;
  std::vector<CheckSpec> specs_;
  std::vector<int> state_;  // 0 waiting, 1 running, 2 done
  std::mutex mu_;
  int frame_ = 0;
  bool finished_ = false;
};

}  // namespace infinity_sync
