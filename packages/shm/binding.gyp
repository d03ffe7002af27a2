{
  "targets": [
    {
      "target_name": "mpts_shm",
      "sources": ["native/shm.cc"],
      "cflags_cc": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-cast-function-type"],
      "conditions": [
        ["OS=='linux'", { "libraries": ["-lrt"] }]
      ]
    }
  ]
}
