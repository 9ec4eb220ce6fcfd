// tai64n_stream.h: the filters behind the tai64n and tai64nlocal commands.
//
//   Status s = StampLines(0, 1);            // tai64n: "@4000... " + each line
//   Status s = ConvertStampedLines(0, 1);   // tai64nlocal: local time text
//
// Both stream: memory stays bounded whatever the line length, and output is
// flushed whenever the input has nothing more buffered, so they work at the
// end of a pipe that is still being written (tail -f | tai64nlocal).
// They return a temporary status on a read or write error.
#ifndef YUBIN_LIB_BASE_TAI64N_STREAM_H_
#define YUBIN_LIB_BASE_TAI64N_STREAM_H_

#include "lib/base/status.h"

namespace yubin {

Status StampLines(int in_fd, int out_fd);
Status ConvertStampedLines(int in_fd, int out_fd);

}  // namespace yubin

#endif  // YUBIN_LIB_BASE_TAI64N_STREAM_H_
