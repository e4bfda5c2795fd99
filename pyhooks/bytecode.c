/*
 * bytecode.c: the opcode tables of bytecode.h, as Python source.  It
 * asks the running interpreter's opcode and dis modules, so one source
 * serves 3.11 to 3.13.
 */
#include "bytecode.h"

const char forkd_bytecode_src[] =
"def tables():\n"
"    import dis, opcode\n"
"    sp = getattr(opcode, '_specializations', None)\n"
"    if sp is None:\n"
"        import _opcode_metadata\n"
"        sp = _opcode_metadata._specializations\n"
"    base_of = {s: b for b, ss in sp.items() for s in ss}\n"
"    names = list(dis._all_opname[:256])\n"
"    names += ['<%d>' % i for i in range(len(names), 256)]\n"
"    opmap = dis._all_opmap\n"
"    ic = opcode._inline_cache_entries\n"
"    caches = []\n"
"    for n in names:\n"
"        b = base_of.get(n, n)\n"
"        if isinstance(ic, dict):\n"
"            caches.append(ic.get(b, 0))\n"
"        else:\n"
"            o = opmap.get(b, 256)\n"
"            caches.append(ic[o] if o < len(ic) else 0)\n"
"    return names, base_of, caches\n"
"def live_code():\n"
"    import gc, types\n"
"    FT, CT = types.FunctionType, types.CodeType\n"
"    funcs = [f for f in gc.get_objects() if type(f) is FT]\n"
"    codes, parents, stack = {}, {}, [f.__code__ for f in funcs]\n"
"    while stack:\n"
"        co = stack.pop()\n"
"        if id(co) in codes:\n"
"            continue\n"
"        codes[id(co)] = co\n"
"        for c in co.co_consts:\n"
"            if type(c) is CT:\n"
"                parents.setdefault(id(c), []).append(co)\n"
"                stack.append(c)\n"
"    return funcs, codes, parents\n";
