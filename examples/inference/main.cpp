// The top-5 classes of a video, with a recognizer loaded once (tubelet/apis/recognizer.h).
// Usage: recognize CONFIG CHECKPOINT VIDEO [LABEL_MAP]
#include <tubelet/apis/recognizer.h>
#include <tubelet/threads.h>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::cerr << "usage: " << argv[0] << " CONFIG CHECKPOINT VIDEO [LABEL_MAP]\n";
    return 2;
  }
  try {
    // LibTorch's threads: $OMP_NUM_THREADS, else one per core (Debian's LibTorch starts with 1).
    tubelet::configure_threads();
    tubelet::RecognizerOptions options;
    if (argc == 5) options.label_map = argv[4];
    const tubelet::Recognizer recognizer(argv[1], argv[2], options);
    // predict() also takes decoded frames: std::vector<cv::Mat> or a [T, H, W, 3] uint8 tensor.
    const tubelet::Prediction prediction = recognizer.predict(argv[3]);
    std::cout << "The top-5 labels with corresponding scores are:\n";
    for (const tubelet::ClassScore& c : prediction.topk)
      std::cout << c.label << ": " << c.score << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
