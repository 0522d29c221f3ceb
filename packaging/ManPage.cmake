# Writes the troff man page infinity-sync(1): the prose of man/description.roff,
# the program's own --help (so the options in the page and the help text
# cannot disagree), then man/sections.roff (EXIT STATUS, ENVIRONMENT, FILES,
# EXAMPLES, SEE ALSO). Run as a script:
#   cmake -DPROGRAM=path/to/infinity-sync -DOUTPUT=infinity-sync.1 -P ManPage.cmake
if(NOT PROGRAM OR NOT OUTPUT)
  message(FATAL_ERROR "ManPage.cmake: set PROGRAM and OUTPUT")
endif()

function(help_of out_var)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env NO_COLOR=1 ${PROGRAM} ${ARGN} --help
                  OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ManPage.cmake: '${PROGRAM} ${ARGN} --help' exited ${rc}")
  endif()
  # troff: a backslash is \e; a line starting with . or ' would be a request.
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${PROGRAM} --version OUTPUT_VARIABLE version
                OUTPUT_STRIP_TRAILING_WHITESPACE)
string(REGEX REPLACE "^infinity-sync " "" version "${version}")
help_of(main)
set(page ".TH INFINITY-SYNC 1 \"\" \"infinity-sync ${version}\" \"User Commands\"\n")
string(APPEND page ".SH NAME\ninfinity-sync \\- is your world in sync? git, docker compose, Cloud Run and Cloudflare\n")
string(APPEND page ".SH SYNOPSIS\n.B infinity-sync\n[\\fB\\-\\-config\\fR \\fIFILE\\fR] [\\fICOMMAND\\fR] [\\fIOPTIONS\\fR]\n")
file(READ ${CMAKE_CURRENT_LIST_DIR}/man/description.roff description)
file(READ ${CMAKE_CURRENT_LIST_DIR}/man/sections.roff sections)
string(APPEND page ".SH DESCRIPTION\n${description}.PP\n.nf\n${main}.fi\n.SH COMMANDS\n")
# The subcommands are the ones the top-level help lists (CLI11's "Subcommands:" block).
string(FIND "${main}" "Subcommands:" at)
if(at EQUAL -1)
  message(FATAL_ERROR "ManPage.cmake: no 'Subcommands:' in '${PROGRAM} --help'")
endif()
string(SUBSTRING "${main}" ${at} -1 block)
string(REGEX MATCHALL "\n  [a-z]+" entries "${block}")
set(commands "")
foreach(entry ${entries})
  string(STRIP "${entry}" entry)
  list(APPEND commands ${entry})
endforeach()
foreach(command ${commands})
  help_of(sub ${command})
  string(APPEND page ".SS ${command}\n.nf\n${sub}.fi\n")
endforeach()
string(APPEND page "${sections}")
file(WRITE ${OUTPUT} "${page}")
