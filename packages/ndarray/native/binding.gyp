{
  "targets": [
    {
      "target_name": "bkt",
      "includes": ["sources.gen.gypi"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "include"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-O2"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-fno-math-errno", "-fopenmp", "-Wall", "-Wno-unused-parameter"],
      "libraries": ["<!@(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)", "-ldnnl", "-lgomp"],
      "cflags": ["<!@(pkg-config --cflags openblas 2>/dev/null || true)"],
      "conditions": [
        ["target_arch == 'x64'", {"cflags_cc": ["-march=x86-64-v2"]}]
      ]
    }
  ]
}
