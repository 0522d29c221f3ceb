# cmake -DOUT=file.cpp -DFILES="a;b" -P embed_files.cmake
# Writes a .cpp defining infinity_sync::WebAssets(): every file as a byte array.
set(body "")
set(table "")
set(i 0)
foreach(f IN LISTS FILES)
  get_filename_component(name ${f} NAME)
  file(READ ${f} hex HEX)
  string(LENGTH "${hex}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "const unsigned char kFile${i}[] = {${bytes} 0};\n")
  string(APPEND table "      {\"/${name}\", std::string_view(reinterpret_cast<const char*>(kFile${i}), ${size})},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from web/ by cmake/embed_files.cmake. Do not edit.
#include \"server/web_assets.h\"

namespace infinity_sync {
namespace {
${body}}  // namespace

const std::vector<WebAsset>& WebAssets() {
  static const std::vector<WebAsset> kAssets = {
${table}  };
  return kAssets;
}

}  // namespace infinity_sync
")
file(RENAME ${OUT}.tmp ${OUT})
