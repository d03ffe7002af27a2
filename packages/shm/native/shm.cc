// mpts shared memory addon: POSIX shared memory mapped as a SharedArrayBuffer, and futex
// wait/wake on it that crosses processes.
//
// Node-API cannot wrap external memory as a SharedArrayBuffer on Node 20, so this uses V8's
// API (SharedArrayBuffer::NewBackingStore) and is built per Node ABI, from source, at install.
// V8's own Atomics.wait/notify keep their waiters in a process-local list, so they never wake
// another process; the futexes here are plain (not FUTEX_PRIVATE_FLAG) and key on the shared
// page, so they do.

#include <node.h>
#include <uv.h>
#include <v8.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace {

using v8::Context;
using v8::Function;
using v8::FunctionCallbackInfo;
using v8::Global;
using v8::HandleScope;
using v8::Integer;
using v8::Isolate;
using v8::Local;
using v8::Number;
using v8::Object;
using v8::SharedArrayBuffer;
using v8::String;
using v8::Value;

// Byte offset of the segment's hand-off word (see src/segment.ts): pending hand-offs * 2, plus
// 1 once the creating process no longer needs the name.
constexpr size_t kStateOffset = 4;

struct SegmentInfo {
  std::string name;
  bool creator;
};

// Runs when the last SharedArrayBuffer over the mapping (in any thread of this process) is
// gone. The creator then gives up the name: it unlinks it unless a child process is still on
// its way to attach, in which case that child unlinks it once attached.
void SegmentDeleter(void* data, size_t length, void* deleter_data) {
  auto* info = static_cast<SegmentInfo*>(deleter_data);
  if (info->creator && length >= kStateOffset + 4) {
    auto* state = reinterpret_cast<int32_t*>(static_cast<char*>(data) + kStateOffset);
    int32_t old = __atomic_fetch_or(state, 1, __ATOMIC_SEQ_CST);
    if ((old >> 1) == 0 && (old & 1) == 0) shm_unlink(info->name.c_str());
  }
  munmap(data, length);
  delete info;
}

void ThrowErrno(Isolate* isolate, const char* what, const std::string& name, int err) {
  std::string message = std::string(what) + " '" + name + "': " + strerror(err);
  Local<Value> error = v8::Exception::Error(
      String::NewFromUtf8(isolate, message.c_str()).ToLocalChecked());
  const char* code = err == ENOENT ? "ENOENT" : err == EEXIST ? "EEXIST" :
                     err == EACCES ? "EACCES" : err == ENOSPC ? "ENOSPC" :
                     err == ENOMEM ? "ENOMEM" : err == EMFILE ? "EMFILE" : "EIO";
  Local<Context> context = isolate->GetCurrentContext();
  error.As<Object>()->Set(context, String::NewFromUtf8Literal(isolate, "code"),
                          String::NewFromUtf8(isolate, code).ToLocalChecked()).Check();
  error.As<Object>()->Set(context, String::NewFromUtf8Literal(isolate, "errno"),
                          Integer::New(isolate, err)).Check();
  isolate->ThrowException(error);
}

void ThrowType(Isolate* isolate, const char* message) {
  isolate->ThrowException(v8::Exception::TypeError(
      String::NewFromUtf8(isolate, message).ToLocalChecked()));
}

Local<SharedArrayBuffer> Wrap(Isolate* isolate, void* data, size_t size, SegmentInfo* info) {
  std::unique_ptr<v8::BackingStore> store =
      SharedArrayBuffer::NewBackingStore(data, size, SegmentDeleter, info);
  return SharedArrayBuffer::New(isolate, std::shared_ptr<v8::BackingStore>(std::move(store)));
}

// create(name, size): a new segment (O_EXCL), zero-filled, mapped.
void Create(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  if (!args[0]->IsString() || !args[1]->IsNumber()) return ThrowType(isolate, "create(name, size)");
  std::string name = *String::Utf8Value(isolate, args[0]);
  double requested = args[1].As<Number>()->Value();
  if (!(requested >= 1) || requested > 1e15) return ThrowType(isolate, "bad segment size");
  size_t size = static_cast<size_t>(requested);
  int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) return ThrowErrno(isolate, "cannot create shared memory", name, errno);
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int err = errno;
    close(fd);
    shm_unlink(name.c_str());
    return ThrowErrno(isolate, "cannot size shared memory", name, err);
  }
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  close(fd);
  if (data == MAP_FAILED) {
    shm_unlink(name.c_str());
    return ThrowErrno(isolate, "cannot map shared memory", name, err);
  }
  args.GetReturnValue().Set(Wrap(isolate, data, size, new SegmentInfo{name, true}));
}

// attach(name): maps an existing segment, whole.
void Attach(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  if (!args[0]->IsString()) return ThrowType(isolate, "attach(name)");
  std::string name = *String::Utf8Value(isolate, args[0]);
  int fd = shm_open(name.c_str(), O_RDWR, 0600);
  if (fd < 0) return ThrowErrno(isolate, "cannot attach shared memory", name, errno);
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size <= 0) {
    int err = errno ? errno : EIO;
    close(fd);
    return ThrowErrno(isolate, "cannot size shared memory", name, err);
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  close(fd);
  if (data == MAP_FAILED) return ThrowErrno(isolate, "cannot map shared memory", name, err);
  args.GetReturnValue().Set(Wrap(isolate, data, size, new SegmentInfo{name, false}));
}

// unlink(name): removes the name; true if it existed.
void Unlink(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  if (!args[0]->IsString()) return ThrowType(isolate, "unlink(name)");
  std::string name = *String::Utf8Value(isolate, args[0]);
  args.GetReturnValue().Set(shm_unlink(name.c_str()) == 0);
}

// The int32 at byteOffset of a SharedArrayBuffer, with the store that keeps it mapped.
bool WordAt(const FunctionCallbackInfo<Value>& args, std::shared_ptr<v8::BackingStore>* store,
            int32_t** word) {
  Isolate* isolate = args.GetIsolate();
  if (!args[0]->IsSharedArrayBuffer() || !args[1]->IsNumber()) {
    ThrowType(isolate, "expected (SharedArrayBuffer, byteOffset, ...)");
    return false;
  }
  *store = args[0].As<SharedArrayBuffer>()->GetBackingStore();
  double offset = args[1].As<Number>()->Value();
  if (!(offset >= 0) || std::fmod(offset, 4) != 0 || offset + 4 > (*store)->ByteLength()) {
    ThrowType(isolate, "futex offset out of range or not 4-byte aligned");
    return false;
  }
  *word = reinterpret_cast<int32_t*>(static_cast<char*>((*store)->Data()) +
                                     static_cast<size_t>(offset));
  return true;
}

enum WaitResult { kOk = 0, kNotEqual = 1, kTimedOut = 2 };

// timeout_ms < 0 or infinite: wait without a deadline.
int FutexWait(int32_t* word, int32_t expected, double timeout_ms) {
  struct timespec ts;
  struct timespec* tsp = nullptr;
  if (timeout_ms >= 0 && std::isfinite(timeout_ms)) {
    double whole = std::floor(timeout_ms / 1000);
    ts.tv_sec = static_cast<time_t>(whole);
    ts.tv_nsec = static_cast<long>((timeout_ms - whole * 1000) * 1e6);
    if (ts.tv_nsec >= 1000000000L) ts.tv_nsec = 999999999L;
    tsp = &ts;
  }
  long rc = syscall(SYS_futex, word, FUTEX_WAIT, expected, tsp, nullptr, 0);
  if (rc == 0) return kOk;
  if (errno == EAGAIN) return kNotEqual;
  if (errno == ETIMEDOUT) return kTimedOut;
  return kOk;  // EINTR: a spurious wake-up; callers re-check the word
}

// wait(sab, byteOffset, expected, timeoutMs): blocks this thread. 0 ok, 1 not-equal, 2 timed-out.
void Wait(const FunctionCallbackInfo<Value>& args) {
  std::shared_ptr<v8::BackingStore> store;
  int32_t* word;
  if (!WordAt(args, &store, &word)) return;
  int32_t expected = args[2]->Int32Value(args.GetIsolate()->GetCurrentContext()).FromMaybe(0);
  double timeout = args[3]->IsNumber() ? args[3].As<Number>()->Value() : -1;
  args.GetReturnValue().Set(FutexWait(word, expected, timeout));
}

// wake(sab, byteOffset, count): wakes up to count waiters in any process; returns how many.
void Wake(const FunctionCallbackInfo<Value>& args) {
  std::shared_ptr<v8::BackingStore> store;
  int32_t* word;
  if (!WordAt(args, &store, &word)) return;
  int count = args[2]->IsNumber() ? args[2]->Int32Value(args.GetIsolate()->GetCurrentContext())
                                        .FromMaybe(1) : INT_MAX;
  if (count < 0) count = INT_MAX;
  long rc = syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0);
  args.GetReturnValue().Set(static_cast<int32_t>(rc < 0 ? 0 : rc));
}

struct AsyncWait {
  uv_work_t request;
  std::shared_ptr<v8::BackingStore> store;
  int32_t* word;
  int32_t expected;
  double timeout;
  int result;
  Isolate* isolate;
  Global<Context> context;
  Global<Function> callback;
  Global<Object> resource;
  node::async_context async;
};

void AsyncWaitWork(uv_work_t* request) {
  auto* wait = static_cast<AsyncWait*>(request->data);
  wait->result = FutexWait(wait->word, wait->expected, wait->timeout);
}

void AsyncWaitDone(uv_work_t* request, int status) {
  auto* wait = static_cast<AsyncWait*>(request->data);
  Isolate* isolate = wait->isolate;
  {
    HandleScope scope(isolate);
    Local<Context> context = wait->context.Get(isolate);
    Context::Scope context_scope(context);
    Local<Value> argv[1] = {Integer::New(isolate, status == 0 ? wait->result : kOk)};
    Local<Object> resource = wait->resource.Get(isolate);
    node::MakeCallback(isolate, resource, wait->callback.Get(isolate), 1, argv, wait->async)
        .FromMaybe(Local<Value>());
    node::EmitAsyncDestroy(isolate, wait->async);
  }
  delete wait;
}

// waitAsync(sab, byteOffset, expected, timeoutMs, callback): the same wait on the libuv pool;
// callback(result) runs on this thread's loop. Callers keep timeouts short: a pool thread is
// busy for the whole wait.
void WaitAsync(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  std::shared_ptr<v8::BackingStore> store;
  int32_t* word;
  if (!WordAt(args, &store, &word)) return;
  if (!args[4]->IsFunction()) return ThrowType(isolate, "waitAsync needs a callback");
  Local<Context> context = isolate->GetCurrentContext();
  auto* wait = new AsyncWait();
  wait->request.data = wait;
  wait->store = store;
  wait->word = word;
  wait->expected = args[2]->Int32Value(context).FromMaybe(0);
  wait->timeout = args[3]->IsNumber() ? args[3].As<Number>()->Value() : -1;
  wait->result = kOk;
  wait->isolate = isolate;
  wait->context.Reset(isolate, context);
  wait->callback.Reset(isolate, args[4].As<Function>());
  Local<Object> resource = Object::New(isolate);
  wait->resource.Reset(isolate, resource);
  wait->async = node::EmitAsyncInit(isolate, resource, "MPTS_FUTEX_WAIT");
  uv_loop_t* loop = node::GetCurrentEventLoop(isolate);
  int rc = uv_queue_work(loop, &wait->request, AsyncWaitWork, AsyncWaitDone);
  if (rc != 0) {
    node::EmitAsyncDestroy(isolate, wait->async);
    delete wait;
    return ThrowErrno(isolate, "cannot queue futex wait", "", -rc);
  }
}

// pidAlive(pid): whether a process with this pid exists and is not a zombie.
void PidAlive(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  int pid = args[0]->Int32Value(isolate->GetCurrentContext()).FromMaybe(0);
  bool alive = false;
  if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)) {
    alive = true;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE* file = fopen(path, "r");
    if (file != nullptr) {
      char buffer[512];
      size_t n = fread(buffer, 1, sizeof buffer - 1, file);
      fclose(file);
      buffer[n] = '\0';
      // The state follows the command name, which is in parentheses and may hold spaces.
      char* close_paren = strrchr(buffer, ')');
      if (close_paren != nullptr && close_paren[1] == ' ' &&
          (close_paren[2] == 'Z' || close_paren[2] == 'X')) {
        alive = false;
      }
    }
  }
  args.GetReturnValue().Set(alive);
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  Isolate* isolate = context->GetIsolate();
  auto set = [&](const char* name, v8::FunctionCallback callback) {
    exports->Set(context, String::NewFromUtf8(isolate, name).ToLocalChecked(),
                 v8::FunctionTemplate::New(isolate, callback)->GetFunction(context)
                     .ToLocalChecked()).Check();
  };
  set("create", Create);
  set("attach", Attach);
  set("unlink", Unlink);
  set("wait", Wait);
  set("wake", Wake);
  set("waitAsync", WaitAsync);
  set("pidAlive", PidAlive);
}
