// The fixed-point device model shared by the chip core's units: the cell word, the device
// constants and the device arithmetic, bit-exact with hil/device/fixed_point.py
// (FixedPointArray). cmd_exec (READ, PULSE, reset walker) and program_engine (PROGRAM) both use
// these functions, so the two paths cannot drift apart.
//
// The block between the GENERATED markers is written by `python -m hil.device.fixed_point` from
// FixedLuts.from_params(DeviceParams()) (`--check` fails on a stale block; tests/rtl runs it).

package device_pkg;

  localparam longint Sat = 64'sd131072;  // 2^(Q+1): saturation of the Q16 drive products
  localparam longint NoiseRecip = 64'sd443;  // round(2^16 / 148), fixed_point.NOISE_RECIP

  // BEGIN GENERATED DEVICE CONSTANTS (python -m hil.device.fixed_point)
  localparam longint StepSetQ = 64'sd1311;
  localparam longint StepResetQ = 64'sd983;
  localparam longint C2cQ = 64'sd39322;
  localparam longint WriteNoiseCodes = 64'sd524288;
  localparam longint ReadSd0Q = 64'sd327680;
  localparam longint ReadRelQ = 64'sd655;
  localparam longint GMin = 64'sd100;
  localparam longint GMaxNominal = 64'sd4000;
  localparam longint GMaxSigmaQ = 64'sd6554;
  localparam longint CentreSet = 64'sd30;
  localparam longint CentreReset = 64'sd30;
  localparam longint ThresholdSpreadQ = 64'sd655360;
  localparam longint PStuck16 = 64'sd328;
  localparam longint PStuckAtMin8 = 64'sd128;
  localparam longint VBaseSteps = 64'sd100;
  localparam longint StepMultQ [8] = '{
    64'sd30433, 64'sd42057, 64'sd51327, 64'sd60579, 64'sd70899, 64'sd83679, 64'sd102122, 64'sd141127
  };
  localparam longint Expm1Q [256] = '{
    64'sd0, 64'sd6892, 64'sd14510, 64'sd22928, 64'sd32232, 64'sd42515,
    64'sd53878, 64'sd66437, 64'sd80317, 64'sd95657, 64'sd112609, 64'sd131345,
    64'sd152051, 64'sd174935, 64'sd200226, 64'sd228176, 64'sd259066, 64'sd293205,
    64'sd330934, 64'sd372631, 64'sd418713, 64'sd469642, 64'sd525927, 64'sd588132,
    64'sd656879, 64'sd732856, 64'sd816824, 64'sd909622, 64'sd1012180, 64'sd1125525,
    64'sd1250790, 64'sd1389229, 64'sd1542228, 64'sd1711318, 64'sd1898191, 64'sd2104718,
    64'sd2332966, 64'sd2585219, 64'sd2864001, 64'sd3172103, 64'sd3512608, 64'sd3888925,
    64'sd4304819, 64'sd4764454, 64'sd5272428, 64'sd5833827, 64'sd6454268, 64'sd7139962,
    64'sd7897771, 64'sd8735279, 64'sd9660869, 64'sd10683804, 64'sd11814322, 64'sd13063737,
    64'sd14444555, 64'sd15970594, 64'sd17657129, 64'sd19521038, 64'sd21580976, 64'sd23857559,
    64'sd26373573, 64'sd29154199, 64'sd32227265, 64'sd35623529, 64'sd39376980, 64'sd43525186,
    64'sd48109662, 64'sd53176292, 64'sd58775784, 64'sd64964180, 64'sd71803415, 64'sd79361938,
    64'sd87715399, 64'sd96947400, 64'sd107150340, 64'sd118426332, 64'sd130888230, 64'sd144660758,
    64'sd159881755, 64'sd176703559, 64'sd195294527, 64'sd215840724, 64'sd238547783, 64'sd263642965,
    64'sd291377430, 64'sd322028755, 64'sd355903707, 64'sd393341319, 64'sd434716279, 64'sd480442682,
    64'sd530978172, 64'sd586828527, 64'sd648552714, 64'sd716768491, 64'sd792158584, 64'sd875477522,
    64'sd967559189, 64'sd1069325169, 64'sd1181793972, 64'sd1306091221, 64'sd1443460926, 64'sd1595277930,
    64'sd1763061667, 64'sd1948491373, 64'sd2153422892, 64'sd2379907247, 64'sd2630211170, 64'sd2906839786,
    64'sd3212561687, 64'sd3550436642, 64'sd3923846215, 64'sd4336527617, 64'sd4792611100, 64'sd5296661302,
    64'sd5853722926, 64'sd6469371233, 64'sd7149767837, 64'sd7901722377, 64'sd8732760667, 64'sd9651200016,
    64'sd10666232474, 64'sd11788016829, 64'sd13027780273, 64'sd14397930778, 64'sd15912181268, 64'sd17585686873,
    64'sd19435196599, 64'sd21479220961, 64'sd23738217242, 64'sd26234794235, 64'sd28993938523, 64'sd32043264548,
    64'sd35413290991, 64'sd39137746210, 64'sd43253905802, 64'sd47802965678, 64'sd52830454358, 64'sd58386688638,
    64'sd64527277178, 64'sd71313677052, 64'sd78813808831, 64'sd87102736355, 64'sd96263417997, 64'sd106387536938,
    64'sd117576418762, 64'sd129942045559, 64'sd143608176680, 64'sd158711587357, 64'sd175403437601, 64'sd193850785059,
    64'sd214238256986, 64'sd236769898053, 64'sd261671212496, 64'sd289191421041, 64'sd319605955184, 64'sd353219213806,
    64'sd390367609696, 64'sd431422936487, 64'sd476796089689, 64'sd526941179069, 64'sd582360073536, 64'sd643607424013,
    64'sd711296214569, 64'sd786103897372, 64'sd868779172853, 64'sd960149482960, 64'sd1061129292465, 64'sd1172729241243,
    64'sd1296066259091, 64'sd1432374744339, 64'sd1583018918122, 64'sd1749506477965, 64'sd1933503687324, 64'sd2136852052115,
    64'sd2361586751120, 64'sd2609957004744, 64'sd2884448585963, 64'sd3187808698783, 64'sd3523073473176, 64'sd3893598351690,
    64'sd4303091671848, 64'sd4755651780433, 64'sd5255808051121, 64'sd5808566215979, 64'sd6419458464510, 64'sd7094598811663,
    64'sd7840744288957, 64'sd8665362571115, 64'sd9576706715070, 64'sd10583897759328, 64'sd11697016010387, 64'sd12927201929838,
    64'sd14286767631841, 64'sd15789320106907, 64'sd17449897405234, 64'sd19285119142560, 64'sd21313352834874, 64'sd23554897726680,
    64'sd26032187952666, 64'sd28770017066058, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840,
    64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840, 64'sd31795786180840
  };
  // END GENERATED DEVICE CONSTANTS

  // ---------------------------------------------------------------------------------------------
  // Cell word and device arithmetic (FixedPointArray)
  // ---------------------------------------------------------------------------------------------

  typedef struct packed {
    logic [63:0] t_write;  // virtual time (us) of the last pulse that moved the cell
    logic [15:0] g;
    logic [15:0] g_prog;
    logic [15:0] g_max;
    logic [15:0] stuck_g;
    logic [5:0]  v_set;
    logic [5:0]  v_reset;
    logic [2:0]  step_level;
    logic [2:0]  relax_level;
    logic        stuck;
  } cell_word_t;

  localparam int unsigned WordW = $bits(cell_word_t);

  // The device arithmetic runs on 64-bit signed intermediates like the twin's int64; results are
  // clipped into range before they are truncated to their field widths, so the upper bits of
  // those intermediates are intentionally unused.
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic longint clip(longint v, longint lo, longint hi);
    longint r;
    r = v;
    if (r < lo) r = lo;
    if (r > hi) r = hi;
    return r;
  endfunction

  function automatic longint min64(longint a, longint b);
    return (a < b) ? a : b;
  endfunction

  // scale_noise: (sd * z * 443) >>> 32
  function automatic longint scale_noise(longint sd, longint z);
    return (sd * z * NoiseRecip) >>> 32;
  endfunction

  // Centred Irwin-Hall sum of the four bytes of one xorshift32 value.
  function automatic longint gauss(logic [31:0] v);
    return longint'({56'd0, v[7:0]}) + longint'({56'd0, v[15:8]}) +
           longint'({56'd0, v[23:16]}) + longint'({56'd0, v[31:24]}) - 64'sd510;
  endfunction

  // floor(sqrt(v)), digit by digit.
  function automatic longint isqrt(longint v);
    logic [63:0] x, r, b;
    x = 64'(v);
    r = 64'd0;
    b = 64'd1 << 62;
    for (int i = 0; i < 32; i++) begin
      if (x >= r + b) begin
        x = x - (r + b);
        r = (r >> 1) + b;
      end else begin
        r = r >> 1;
      end
      b = b >> 2;
    end
    return longint'(r);
  endfunction

  function automatic cell_word_t init_word(longint z0, longint z1, longint z2, logic [31:0] raw);
    cell_word_t w;
    longint gmax, vset, vreset, rnd;
    gmax   = clip(GMaxNominal + scale_noise(GMaxNominal * GMaxSigmaQ, z0), GMin + 1, 64'sd65535);
    vset   = clip(CentreSet + scale_noise(ThresholdSpreadQ, z1), 64'sd0, 64'sd63);
    vreset = clip(CentreReset + scale_noise(ThresholdSpreadQ, z2), 64'sd0, 64'sd63);
    rnd    = GMin + ((longint'({56'd0, raw[15:8]}) * (gmax - GMin)) >>> 8);
    w.t_write     = 64'd0;
    w.g           = 16'(GMin);
    w.g_prog      = 16'(GMin);
    w.g_max       = 16'(gmax);
    w.v_set       = 6'(vset);
    w.v_reset     = 6'(vreset);
    w.step_level  = raw[2:0];
    w.relax_level = raw[5:3];
    w.stuck       = longint'({48'd0, raw[31:16]}) < PStuck16;
    w.stuck_g     = (longint'({56'd0, raw[13:6]}) < PStuckAtMin8) ? 16'(GMin) : 16'(rnd);
    return w;
  endfunction

  function automatic cell_word_t pulse_word(cell_word_t w, logic set, longint amp_steps,
                                            longint width_q, longint z0, longint z1,
                                            logic [63:0] now);
    cell_word_t r;
    longint g, gmax, threshold, overdrive, window, alpha, drive, noise, delta, wnoise, new_g;
    logic moves;
    r = w;
    g = longint'({48'd0, w.g});
    gmax = longint'({48'd0, w.g_max});
    threshold = set ? longint'({58'd0, w.v_set}) : longint'({58'd0, w.v_reset});
    overdrive = amp_steps - (threshold + VBaseSteps);
    moves = (overdrive > 0) && !w.stuck;
    window = set ? (gmax - g) : (g - GMin);
    if (window < 0) window = 0;
    alpha = set ? StepSetQ : StepResetQ;
    drive = min64((alpha * StepMultQ[w.step_level]) >>> 16, Sat);
    drive = min64((drive * Expm1Q[8'(clip(overdrive, 64'sd0, 64'sd255))]) >>> 16, Sat);
    drive = min64((drive * width_q) >>> 16, Sat);
    noise = 64'sd65536 + scale_noise(C2cQ <<< 16, z0);
    if (noise < 0) noise = 0;
    drive = min64((drive * noise) >>> 16, Sat);
    delta = (window * drive) >>> 16;
    wnoise = scale_noise(WriteNoiseCodes, z1);
    new_g = clip(g + (set ? delta : -delta) + wnoise, GMin, gmax);
    if (moves) begin
      r.g       = 16'(new_g);
      r.g_prog  = 16'(new_g);
      r.t_write = now;
    end
    return r;
  endfunction

  // One noisy read of a cell (before averaging and the ADC).
  function automatic longint read_sample(cell_word_t w, longint z);
    longint g, sd, noisy;
    g = w.stuck ? longint'({48'd0, w.stuck_g}) : longint'({48'd0, w.g});
    sd = ReadSd0Q + ReadRelQ * g;
    noisy = g + scale_noise(sd, z);
    return (noisy < 0) ? 64'sd0 : noisy;
  endfunction

  // Average of n reads through the 12-bit ADC, back to conductance codes.
  function automatic logic [15:0] adc_code(logic [31:0] sum, logic [7:0] n);
    logic [31:0] avg, adc, code;
    avg  = sum / {24'd0, n};
    adc  = (avg * 32'd4095 + 32'd2500) / 32'd5000;
    if (adc > 32'd4095) adc = 32'd4095;
    code = (adc * 32'd5000 + 32'd2047) / 32'd4095;
    return code[15:0];
  endfunction

  /* verilator lint_on UNUSEDSIGNAL */

endpackage
