# cmake -DINPUT=binary -DOUTPUT=file.cc -P embed.cmake: the exec shim's bytes as a C++ array
# (runner/exec_shim_image.h).
file(READ ${INPUT} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT} "// Generated from runner/shim/dabba_shim.c by runner/shim/embed.cmake. Do not edit.\n"
  "#include \"runner/exec_shim_image.h\"\n\nnamespace dabba::runner {\n\n"
  "const unsigned char kExecShimImage[] = {\n${bytes}};\n"
  "const size_t kExecShimImageSize = sizeof kExecShimImage;\n\n}  // namespace dabba::runner\n")
