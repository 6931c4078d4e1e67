" policylang: comments, indentation and formatting of .ecp files
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=#\ %s
setlocal comments=:#
setlocal shiftwidth=2 softtabstop=2 expandtab

" :EcpFormat formats the whole buffer with `policylang fmt -`; on a syntax error the buffer is
" left as it is and the diagnostics are shown.
function! s:EcpFormat() abort
  let l:view = winsaveview()
  let l:out = system("policylang fmt -", join(getline(1, "$"), "\n") . "\n")
  if v:shell_error
    echohl ErrorMsg | echo l:out | echohl None
    return
  endif
  let l:lines = split(l:out, "\n", 1)
  if len(l:lines) > 1 && l:lines[-1] ==# ""
    call remove(l:lines, -1)
  endif
  if l:lines !=# getline(1, "$")
    silent keepjumps call deletebufline("", len(l:lines) + 1, "$")
    silent keepjumps call setline(1, l:lines)
  endif
  call winrestview(l:view)
endfunction
command! -buffer EcpFormat call s:EcpFormat()

let b:undo_ftplugin = "setlocal commentstring< comments< shiftwidth< softtabstop< expandtab< | delcommand EcpFormat"
