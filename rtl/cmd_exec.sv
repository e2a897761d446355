// Command executor of the chip core: one request at a time, from a validated frame (frame_rx) to
// the response payload (frame_tx), with the retry cache, the policy registers (regfile), the
// cell memory (cell_array, one read-modify-write port) and the noise generator (lfsr).
//
// Implemented (the first slice): INFO, CONFIG, READ, PULSE; PROGRAM, MVM, ADVANCE_TIME and
// FAULT_INJECT answer UNSUPPORTED (after their length check); undefined opcodes UNKNOWN_OPCODE.
// Checks and DETAIL values follow hil/backends/protocol_chip.py (the Python reference handler):
// every request is validated completely before anything is applied.
//
// Device arithmetic is bit-exact with hil/device/fixed_point.py (FixedPointArray):
//   * reset: a walker visits the cells in ascending order, four xorshift32 steps per cell
//     (g_max, V_set, V_reset Gaussians, then one raw word for levels and stuck draw);
//   * READ: one draw per read per cell, read-major, cells in ascending (row-major) order;
//     n_discard reads come first and are drawn but not averaged (= twin.read(cells, n_discard)
//     followed by twin.read(cells, n_reads));
//   * PULSE: two draws per addressed cell.
// Writing NOISE_SEED restarts the sequence from the new seed (twin: state = seed); the cells
// keep their static parameters. t_write / virtual time are not stored (no ADVANCE_TIME yet).
//
// Responses live in a byte RAM that frame_tx reads; error responses (status + DETAIL) come from
// registers instead, so a rejected frame (BAD_CRC / BAD_LENGTH, never cached) does not overwrite
// the cached response of the last executed request, which is re-sent on an identical retry.

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module cmd_exec
  import hil_protocol_pkg::*;
#(
  parameter int unsigned ROWS = 64,
  parameter int unsigned COLS = 128
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // From frame_rx
  input  logic        frame_pending_i,
  input  logic [7:0]  seq_i,
  input  logic [7:0]  opcode_i,
  input  logic [15:0] len_i,
  input  logic [31:0] crc_i,
  output logic [15:0] pl_raddr_o,
  input  logic [7:0]  pl_rdata_i,
  output logic        frame_ack_o,
  input  logic        frame_bad_i,
  input  status_e     bad_status_i,
  // To frame_tx
  output logic        tx_start_o,
  output logic [7:0]  tx_seq_o,
  output logic [7:0]  tx_opcode_o,
  output logic [15:0] tx_len_o,
  input  logic        tx_done_i,
  input  logic [15:0] tx_raddr_i,
  output logic [7:0]  tx_rdata_o,
  // Reset walker finished (diagnostic)
  output logic        ready_o
);

  localparam int unsigned Cells = ROWS * COLS;
  localparam int unsigned CellAw = (Cells > 1) ? $clog2(Cells) : 1;
  localparam int unsigned RespDepth = 2048;
  localparam int unsigned RespAw = $clog2(RespDepth);
  localparam int unsigned ReadMax = READ_RSP_MAX_ELEMENTS;
  localparam int unsigned AccAw = $clog2(ReadMax);
  localparam longint Sat = 64'sd131072;  // 2^(Q+1)
  localparam longint NoiseRecip = 64'sd443;

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
                                            longint width_q, longint z0, longint z1);
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
      r.g      = 16'(new_g);
      r.g_prog = 16'(new_g);
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

  // INFO response payload byte idx (status byte included).
  function automatic logic [7:0] info_byte(logic [5:0] idx);
    logic [8*INFO_RSP_FIXED_BYTES-1:0] v;
    v = {
      32'(REF_MVM_FULL_SCALE), 8'(REF_MVM_ADC_BITS), 8'(REF_MVM_INPUT_BITS),
      16'(REF_ADC_FULL_SCALE), 8'(REF_ADC_BITS), 16'(REF_MAX_WIDTH), 16'(REF_MIN_WIDTH),
      16'(REF_DAC_STEP), 16'(REF_MAX_RESET_AMPLITUDE), 16'(REF_MAX_SET_AMPLITUDE),
      16'h0000,  // capabilities: none of the optional operations yet
      16'(COLS), 16'(ROWS), 32'(REF_CHIP_ID), 8'(VERSION_MINOR), 8'(VERSION_MAJOR), ST_OK
    };
    return v[8*idx +: 8];
  endfunction

  // ---------------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------------

  typedef enum logic [4:0] {
    SInit,
    SIdle,
    SLoad,
    SInfo,
    SRdCheck,
    SRdIssue,
    SRdSample,
    SRdOut,
    SPuCheck,
    SPuIssue,
    SPuZ0,
    SPuZ1,
    SCfgStart,
    SCfgCheck,
    SCfgApply,
    SCfgRb,
    SDone,
    SSend,
    SWait
  } state_e;

  state_e       state_d, state_q, ret_d, ret_q;
  logic [15:0]  ld_base_d, ld_base_q;
  logic [4:0]   ld_n_d, ld_n_q, ld_cnt_d, ld_cnt_q;
  logic [7:0]   buf_d [16];
  logic [7:0]   buf_q [16];
  logic [7:0]   seq_d, seq_q, opc_d, opc_q;
  logic [31:0]  crc_d, crc_q;
  logic [15:0]  tx_len_d, tx_len_q;
  logic         small_d, small_q;
  logic [7:0]   err_status_d, err_status_q;
  logic [15:0]  err_detail_d, err_detail_q;
  logic         c_valid_d, c_valid_q, c_small_d, c_small_q;
  logic [7:0]   c_seq_d, c_seq_q, c_opc_d, c_opc_q, c_status_d, c_status_q;
  logic [31:0]  c_crc_d, c_crc_q;
  logic [15:0]  c_len_d, c_len_q, c_detail_d, c_detail_q;
  logic [CellAw:0] init_cell_d, init_cell_q;
  logic [2:0]   sub_d, sub_q;
  logic signed [10:0] z0_d, z0_q, z1_d, z1_q;
  logic [15:0]  r_d, r_q, c_d, c_q;
  logic [9:0]   k_d, k_q;
  logic [8:0]   rd_d, rd_q;
  logic [6:0]   e_d, e_q;
  logic         cfg_write_d, cfg_write_q;
  logic [31:0]  width_q_d, width_q_q;
  logic [15:0]  amp_steps_d, amp_steps_q;
  cell_word_t   cw_d, cw_q;
  logic [7:0]   small_byte_d, small_byte_q;

  // Request fields (READ / PULSE layouts from the package offsets)
  logic [15:0] f_row, f_col, f_n_rows, f_n_cols, rd_n_cols, pu_n_cols, pu_amp, pu_width;
  logic [7:0]  f_n_reads, f_n_discard, pu_pol;
  logic [15:0] cfg_addr;
  logic [31:0] cfg_value;
  logic [6:0]  cfg_n;

  assign f_row       = {buf_q[READ_REQ_ROW_OFFSET + 1], buf_q[READ_REQ_ROW_OFFSET]};
  assign f_col       = {buf_q[READ_REQ_COL_OFFSET + 1], buf_q[READ_REQ_COL_OFFSET]};
  assign f_n_rows    = {buf_q[READ_REQ_N_ROWS_OFFSET + 1], buf_q[READ_REQ_N_ROWS_OFFSET]};
  assign rd_n_cols   = {buf_q[READ_REQ_N_COLS_OFFSET + 1], buf_q[READ_REQ_N_COLS_OFFSET]};
  assign f_n_reads   = buf_q[READ_REQ_N_READS_OFFSET];
  assign f_n_discard = buf_q[READ_REQ_N_DISCARD_OFFSET];
  assign pu_n_cols   = {buf_q[PULSE_REQ_N_COLS_OFFSET + 1], buf_q[PULSE_REQ_N_COLS_OFFSET]};
  assign pu_pol      = buf_q[PULSE_REQ_POLARITY_OFFSET];
  assign pu_amp      = {buf_q[PULSE_REQ_AMPLITUDE_OFFSET + 1], buf_q[PULSE_REQ_AMPLITUDE_OFFSET]};
  assign pu_width    = {buf_q[PULSE_REQ_WIDTH_OFFSET + 1], buf_q[PULSE_REQ_WIDTH_OFFSET]};
  assign f_n_cols    = (opc_q == OP_PULSE) ? pu_n_cols : rd_n_cols;
  assign cfg_addr    = {buf_q[REGISTER_VALUE_ADDRESS_OFFSET + 1],
                        buf_q[REGISTER_VALUE_ADDRESS_OFFSET]};
  assign cfg_value   = {buf_q[REGISTER_VALUE_VALUE_OFFSET + 3], buf_q[REGISTER_VALUE_VALUE_OFFSET + 2],
                        buf_q[REGISTER_VALUE_VALUE_OFFSET + 1], buf_q[REGISTER_VALUE_VALUE_OFFSET]};
  assign cfg_n       = 7'((len_i - 16'(CONFIG_REQ_FIXED_BYTES)) / 16'(CONFIG_REQ_ELEMENT_BYTES));

  // ---------------------------------------------------------------------------------------------
  // Submodules
  // ---------------------------------------------------------------------------------------------

  logic        rng_step, rng_load;
  logic [31:0] rng_seed, rng_next;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] rng_state;  // the generator's current state (diagnostic only)
  /* verilator lint_on UNUSEDSIGNAL */

  lfsr u_lfsr (
    .clk_i,
    .rst_ni,
    .step_i (rng_step),
    .load_i (rng_load),
    .seed_i (rng_seed),
    .state_o(rng_state),
    .next_o (rng_next)
  );

  status_e     chk_status;
  logic        reg_we;
  logic [31:0] reg_rdata;

  regfile u_regfile (
    .clk_i,
    .rst_ni,
    .chk_addr_i  (cfg_addr),
    .chk_value_i (cfg_value),
    .chk_write_i (cfg_write_q),
    .chk_status_o(chk_status),
    .we_i        (reg_we),
    .waddr_i     (cfg_addr),
    .wdata_i     (cfg_value),
    .raddr_i     (cfg_addr),
    .rdata_o     (reg_rdata)
  );

  logic [CellAw-1:0] cell_addr, cell_waddr;
  logic              cell_we;
  cell_word_t        cell_rdata, cell_wdata;
  logic [WordW-1:0]  cell_rdata_raw;

  cell_array #(.CELLS(Cells), .WordW(WordW)) u_cells (
    .clk_i,
    .raddr_i(cell_addr),
    .rdata_o(cell_rdata_raw),
    .we_i   (cell_we),
    .waddr_i(cell_waddr),
    .wdata_i(cell_wdata)
  );
  assign cell_rdata = cell_word_t'(cell_rdata_raw);

  logic              resp_we;
  logic [RespAw-1:0] resp_waddr;
  logic [7:0]        resp_wdata, resp_rdata;

  byte_ram #(.DEPTH(RespDepth)) u_resp (
    .clk_i,
    .we_i   (resp_we),
    .waddr_i(resp_waddr),
    .wdata_i(resp_wdata),
    .raddr_i(tx_raddr_i[RespAw-1:0]),
    .rdata_o(resp_rdata)
  );

  // READ accumulators: one word per cell of the block (a RAM, written at one index per cycle).
  logic [31:0]      acc_q [ReadMax];
  logic             acc_we;
  logic [AccAw-1:0] acc_waddr;
  logic [31:0]      acc_wdata;

  always_ff @(posedge clk_i) begin
    if (acc_we) begin
      acc_q[acc_waddr] <= acc_wdata;
    end
  end

  // Current cell of a READ / PULSE walk
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] walk_cell;  // only the cell-address bits are used (the block is range-checked)
  /* verilator lint_on UNUSEDSIGNAL */
  logic        walk_last_col, walk_last_row;
  logic [15:0] n_rows_walk;

  assign n_rows_walk   = (opc_q == OP_PULSE) ? 16'd1 : f_n_rows;
  assign walk_cell     = (32'(f_row) + 32'(r_q)) * 32'(COLS) + 32'(f_col) + 32'(c_q);
  assign walk_last_col = (c_q == f_n_cols - 16'd1);
  assign walk_last_row = (r_q == n_rows_walk - 16'd1);

  // ---------------------------------------------------------------------------------------------
  // Control
  // ---------------------------------------------------------------------------------------------

  logic        fail;
  status_e     fail_status;
  logic [15:0] fail_detail;
  logic        done_ok;      // finish with an OK response of done_len bytes in the RAM
  logic [15:0] done_len;
  logic        start_load;   // load ld_n bytes of the payload from ld_base, then go to ret
  logic [15:0] load_base;
  logic [4:0]  load_n;
  state_e      load_ret;
  /* verilator lint_off UNUSEDSIGNAL */
  longint      sample;  // a read sample (< 2^17); 32 bits are accumulated
  /* verilator lint_on UNUSEDSIGNAL */
  longint      zc;
  cell_word_t  new_word;
  logic [31:0] acc_prev;
  logic [15:0] out_code;
  logic [31:0] block_cells;
  logic [15:0] entry_base;

  assign zc          = gauss(rng_next);
  assign block_cells = 32'(f_n_rows) * 32'(rd_n_cols);
  assign entry_base  = 16'(CONFIG_REQ_FIXED_BYTES) + 16'(e_q) * 16'(CONFIG_REQ_ELEMENT_BYTES);
  assign acc_prev    = acc_q[k_q[AccAw-1:0]];
  assign out_code    = adc_code(acc_q[k_q[AccAw-1:0]], f_n_reads);

  always_comb begin
    state_d      = state_q;
    ret_d        = ret_q;
    ld_base_d    = ld_base_q;
    ld_n_d       = ld_n_q;
    ld_cnt_d     = ld_cnt_q;
    for (int i = 0; i < 16; i++) buf_d[i] = buf_q[i];
    seq_d        = seq_q;
    opc_d        = opc_q;
    crc_d        = crc_q;
    tx_len_d     = tx_len_q;
    small_d      = small_q;
    err_status_d = err_status_q;
    err_detail_d = err_detail_q;
    c_valid_d    = c_valid_q;
    c_small_d    = c_small_q;
    c_seq_d      = c_seq_q;
    c_opc_d      = c_opc_q;
    c_status_d   = c_status_q;
    c_crc_d      = c_crc_q;
    c_len_d      = c_len_q;
    c_detail_d   = c_detail_q;
    init_cell_d  = init_cell_q;
    sub_d        = sub_q;
    z0_d         = z0_q;
    z1_d         = z1_q;
    r_d          = r_q;
    c_d          = c_q;
    k_d          = k_q;
    rd_d         = rd_q;
    e_d          = e_q;
    cfg_write_d  = cfg_write_q;
    width_q_d    = width_q_q;
    amp_steps_d  = amp_steps_q;
    cw_d         = cw_q;

    fail        = 1'b0;
    fail_status = ST_INTERNAL;
    fail_detail = NO_DETAIL;
    done_ok     = 1'b0;
    done_len    = 16'd1;
    start_load  = 1'b0;
    load_base   = 16'd0;
    load_n      = 5'd0;
    load_ret    = SIdle;

    rng_step    = 1'b0;
    rng_load    = 1'b0;
    rng_seed    = cfg_value;
    reg_we      = 1'b0;
    cell_addr   = CellAw'(walk_cell);
    cell_we     = 1'b0;
    cell_waddr  = CellAw'(walk_cell);
    cell_wdata  = cw_q;
    resp_we     = 1'b0;
    resp_waddr  = '0;
    resp_wdata  = 8'h00;
    acc_we      = 1'b0;
    acc_waddr   = k_q[AccAw-1:0];
    acc_wdata   = 32'd0;
    pl_raddr_o  = ld_base_q + 16'(ld_cnt_q);
    frame_ack_o = 1'b0;
    tx_start_o  = 1'b0;
    sample      = 64'sd0;
    new_word    = cw_q;

    unique case (state_q)
      // Reset walker: four draws per cell, ascending.
      SInit: begin
        rng_step = 1'b1;
        sub_d    = sub_q + 3'd1;
        unique case (sub_q)
          3'd0: z0_d = 11'(zc);
          3'd1: z1_d = 11'(zc);
          3'd2: cw_d.g = 16'(zc);  // z2 parked in the word latch
          default: begin
            sub_d      = 3'd0;
            cell_we    = 1'b1;
            cell_waddr = CellAw'(init_cell_q);
            cell_wdata = init_word(longint'(z0_q), longint'(z1_q),
                                   longint'(signed'(cw_q.g)), rng_next);
            init_cell_d = init_cell_q + 1'b1;
            if (init_cell_q == (CellAw + 1)'(Cells - 1)) begin
              state_d = SIdle;
            end
          end
        endcase
      end

      SIdle: begin
        if (frame_bad_i) begin
          if (!opcode_i[7]) begin  // a mangled response on our line is not ours to answer
            seq_d        = seq_i;
            opc_d        = opcode_i;
            small_d      = 1'b1;
            err_status_d = bad_status_i;
            err_detail_d = NO_DETAIL;
            tx_len_d     = 16'd3;
            state_d      = SSend;
          end
        end else if (frame_pending_i) begin
          seq_d = seq_i;
          opc_d = opcode_i;
          crc_d = crc_i;
          if (opcode_i[7]) begin
            frame_ack_o = 1'b1;
          end else if (c_valid_q && c_seq_q == seq_i && c_opc_q == opcode_i &&
                       c_crc_q == crc_i) begin
            // Retry of the last executed request: the cached response, not executed again.
            frame_ack_o  = 1'b1;
            small_d      = c_small_q;
            err_status_d = c_status_q;
            err_detail_d = c_detail_q;
            tx_len_d     = c_len_q;
            state_d      = SSend;
          end else begin
            c_valid_d = 1'b0;  // the response RAM is about to be overwritten
            unique case (opcode_i)
              OP_INFO: begin
                if (len_i != 16'(INFO_REQ_FIXED_BYTES)) begin
                  fail = 1'b1; fail_status = ST_BAD_LENGTH;
                end else begin
                  k_d     = 10'd0;
                  state_d = SInfo;
                end
              end
              OP_READ: begin
                if (len_i != 16'(READ_REQ_FIXED_BYTES)) begin
                  fail = 1'b1; fail_status = ST_BAD_LENGTH;
                end else begin
                  start_load = 1'b1; load_n = 5'(READ_REQ_FIXED_BYTES); load_ret = SRdCheck;
                end
              end
              OP_PULSE: begin
                if (len_i != 16'(PULSE_REQ_FIXED_BYTES)) begin
                  fail = 1'b1; fail_status = ST_BAD_LENGTH;
                end else begin
                  start_load = 1'b1; load_n = 5'(PULSE_REQ_FIXED_BYTES); load_ret = SPuCheck;
                end
              end
              OP_CONFIG: begin
                if (len_i < 16'(CONFIG_REQ_FIXED_BYTES) ||
                    (len_i - 16'(CONFIG_REQ_FIXED_BYTES)) % 16'(CONFIG_REQ_ELEMENT_BYTES) != 0 ||
                    (len_i - 16'(CONFIG_REQ_FIXED_BYTES)) >
                    16'(CONFIG_REQ_ELEMENT_BYTES * CONFIG_REQ_MAX_ELEMENTS)) begin
                  fail = 1'b1; fail_status = ST_BAD_LENGTH;
                end else begin
                  start_load = 1'b1; load_n = 5'(CONFIG_REQ_FIXED_BYTES); load_ret = SCfgStart;
                end
              end
              OP_PROGRAM: begin
                fail = 1'b1;
                fail_status = (len_i % 16'(PROGRAM_REQ_ELEMENT_BYTES) != 0 ||
                               len_i > 16'(PROGRAM_REQ_ELEMENT_BYTES * PROGRAM_REQ_MAX_ELEMENTS))
                              ? ST_BAD_LENGTH : ST_UNSUPPORTED;
              end
              OP_MVM: begin
                fail = 1'b1;
                fail_status = (len_i < 16'(MVM_REQ_FIXED_BYTES) ||
                               (len_i - 16'(MVM_REQ_FIXED_BYTES)) % 16'(MVM_REQ_ELEMENT_BYTES) != 0 ||
                               (len_i - 16'(MVM_REQ_FIXED_BYTES)) >
                               16'(MVM_REQ_ELEMENT_BYTES * MVM_REQ_MAX_ELEMENTS))
                              ? ST_BAD_LENGTH : ST_UNSUPPORTED;
              end
              OP_ADVANCE_TIME: begin
                fail = 1'b1;
                fail_status = (len_i != 16'(ADVANCE_TIME_REQ_FIXED_BYTES)) ? ST_BAD_LENGTH
                                                                           : ST_UNSUPPORTED;
              end
              OP_FAULT_INJECT: begin
                fail = 1'b1;
                fail_status = (len_i != 16'(FAULT_INJECT_REQ_FIXED_BYTES)) ? ST_BAD_LENGTH
                                                                           : ST_UNSUPPORTED;
              end
              default: begin
                fail = 1'b1; fail_status = ST_UNKNOWN_OPCODE;
              end
            endcase
          end
        end
      end

      // Copy ld_n payload bytes from ld_base into buf (1-cycle read latency).
      SLoad: begin
        ld_cnt_d = ld_cnt_q + 5'd1;
        if (ld_cnt_q != 5'd0) begin
          buf_d[4'(ld_cnt_q - 5'd1)] = pl_rdata_i;
        end
        if (ld_cnt_q == ld_n_q) begin
          state_d = ret_q;
        end
      end

      SInfo: begin
        resp_we    = 1'b1;
        resp_waddr = RespAw'(k_q);
        resp_wdata = info_byte(6'(k_q));
        k_d        = k_q + 10'd1;
        if (k_q == 10'(INFO_RSP_FIXED_BYTES - 1)) begin  // the fixed bytes include the status
          done_ok  = 1'b1;
          done_len = 16'(INFO_RSP_FIXED_BYTES);
        end
      end

      // READ: the checks of the reference handler, in its order.
      SRdCheck: begin
        if (f_n_rows == 16'd0) begin
          fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd2;
        end else if (rd_n_cols == 16'd0) begin
          fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd3;
        end else if (f_n_reads == 8'd0) begin
          fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd4;
        end else if (block_cells > 32'(ReadMax)) begin
          fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd3;
        end else if (32'(f_row) >= 32'(ROWS)) begin
          fail = 1'b1; fail_status = ST_BAD_ADDRESS; fail_detail = 16'd0;
        end else if (32'(f_col) >= 32'(COLS)) begin
          fail = 1'b1; fail_status = ST_BAD_ADDRESS; fail_detail = 16'd1;
        end else if (32'(f_row) + 32'(f_n_rows) > 32'(ROWS)) begin
          fail = 1'b1; fail_status = ST_BAD_ADDRESS; fail_detail = 16'd2;
        end else if (32'(f_col) + 32'(rd_n_cols) > 32'(COLS)) begin
          fail = 1'b1; fail_status = ST_BAD_ADDRESS; fail_detail = 16'd3;
        end else begin
          resp_we    = 1'b1;  // status byte
          resp_waddr = '0;
          resp_wdata = ST_OK;
          r_d = 16'd0; c_d = 16'd0; k_d = 10'd0; rd_d = 9'd0;
          state_d = SRdIssue;
        end
      end

      SRdIssue: state_d = SRdSample;  // cell_addr = walk_cell

      // One draw for this read of this cell; discarded reads are drawn but not accumulated.
      SRdSample: begin
        rng_step = 1'b1;
        sample   = read_sample(cell_rdata, zc);
        if (rd_q >= 9'(f_n_discard)) begin
          acc_we    = 1'b1;
          acc_wdata = (rd_q == 9'(f_n_discard)) ? 32'(sample) : acc_prev + 32'(sample);
        end
        state_d = SRdIssue;
        k_d     = k_q + 10'd1;
        c_d     = c_q + 16'd1;
        if (walk_last_col) begin
          c_d = 16'd0;
          r_d = r_q + 16'd1;
          if (walk_last_row) begin
            r_d  = 16'd0;
            k_d  = 10'd0;
            rd_d = rd_q + 9'd1;
            if (rd_q == 9'(f_n_discard) + 9'(f_n_reads) - 9'd1) begin
              sub_d   = 3'd0;
              state_d = SRdOut;
            end
          end
        end
      end

      // Averaged, ADC-quantised codes, little-endian, after the status byte.
      SRdOut: begin
        resp_we    = 1'b1;
        resp_waddr = RespAw'(11'd1 + 11'(k_q) * 11'd2 + 11'(sub_q));
        resp_wdata = (sub_q == 3'd0) ? out_code[7:0] : out_code[15:8];
        sub_d      = (sub_q == 3'd0) ? 3'd1 : 3'd0;
        if (sub_q != 3'd0) begin
          k_d = k_q + 10'd1;
          if (32'(k_q) == block_cells - 32'd1) begin
            done_ok  = 1'b1;
            done_len = 16'(32'd1 + block_cells * 32'd2);
          end
        end
      end

      // PULSE: decode (polarity enum), then the reference handler's checks in its order.
      SPuCheck: begin
        if (pu_pol > 8'(POLARITY_RESET)) begin
          fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd3;
        end else if (pu_n_cols == 16'd0) begin
          fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd2;
        end else if (32'(f_row) >= 32'(ROWS)) begin
          fail = 1'b1; fail_status = ST_BAD_ADDRESS; fail_detail = 16'd0;
        end else if (32'(f_col) >= 32'(COLS)) begin
          fail = 1'b1; fail_status = ST_BAD_ADDRESS; fail_detail = 16'd1;
        end else if (32'(f_col) + 32'(pu_n_cols) > 32'(COLS)) begin
          fail = 1'b1; fail_status = ST_BAD_ADDRESS; fail_detail = 16'd2;
        end else if (pu_amp % 16'(REF_DAC_STEP) != 16'd0) begin
          fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd4;
        end else if (pu_amp > ((pu_pol == 8'(POLARITY_SET)) ? 16'(REF_MAX_SET_AMPLITUDE)
                                                             : 16'(REF_MAX_RESET_AMPLITUDE))) begin
          fail = 1'b1; fail_status = ST_LIMIT; fail_detail = 16'd4;
        end else if (pu_width < 16'(REF_MIN_WIDTH) || pu_width > 16'(REF_MAX_WIDTH)) begin
          fail = 1'b1; fail_status = ST_LIMIT; fail_detail = 16'd5;
        end else begin
          amp_steps_d = pu_amp / 16'(REF_DAC_STEP);
          width_q_d   = 32'(isqrt(longint'(({48'd0, pu_width} << 32) / 64'd100)));
          resp_we     = 1'b1;
          resp_waddr  = '0;
          resp_wdata  = ST_OK;
          r_d = 16'd0; c_d = 16'd0;
          state_d = SPuIssue;
        end
      end

      SPuIssue: state_d = SPuZ0;

      SPuZ0: begin
        rng_step = 1'b1;
        z0_d     = 11'(zc);
        cw_d     = cell_rdata;
        state_d  = SPuZ1;
      end

      SPuZ1: begin
        rng_step   = 1'b1;
        new_word   = pulse_word(cw_q, pu_pol == 8'(POLARITY_SET), longint'({48'd0, amp_steps_q}),
                                longint'({32'd0, width_q_q}), longint'(z0_q), zc);
        cell_we    = 1'b1;
        cell_wdata = new_word;
        c_d        = c_q + 16'd1;
        state_d    = SPuIssue;
        if (walk_last_col) begin
          done_ok  = 1'b1;
          done_len = 16'(PULSE_RSP_FIXED_BYTES);
        end
      end

      // CONFIG: WRITE flag, then check every entry, apply every write, read back.
      SCfgStart: begin
        e_d = 7'd0;
        if (buf_q[CONFIG_REQ_WRITE_OFFSET] > 8'd1) begin
          fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd0;
        end else begin
          cfg_write_d = buf_q[CONFIG_REQ_WRITE_OFFSET][0];
          resp_we     = 1'b1;
          resp_waddr  = '0;
          resp_wdata  = ST_OK;
          if (cfg_n == 7'd0) begin
            done_ok  = 1'b1;
            done_len = 16'(CONFIG_RSP_FIXED_BYTES);
          end else begin
            start_load = 1'b1; load_base = 16'(CONFIG_REQ_FIXED_BYTES);
            load_n = 5'(REGISTER_VALUE_BYTES); load_ret = SCfgCheck;
          end
        end
      end

      SCfgCheck: begin
        if (chk_status != ST_OK) begin
          fail = 1'b1; fail_status = chk_status; fail_detail = 16'(e_q);
        end else begin
          e_d = e_q + 7'd1;
          start_load = 1'b1; load_n = 5'(REGISTER_VALUE_BYTES);
          load_base = entry_base + 16'(CONFIG_REQ_ELEMENT_BYTES);
          load_ret = SCfgCheck;
          if (e_q + 7'd1 == cfg_n) begin
            e_d = 7'd0;
            load_base = 16'(CONFIG_REQ_FIXED_BYTES);
            load_ret = cfg_write_q ? SCfgApply : SCfgRb;
          end
        end
      end

      SCfgApply: begin
        reg_we   = 1'b1;
        rng_load = (cfg_addr == REG_NOISE_SEED);
        e_d = e_q + 7'd1;
        start_load = 1'b1; load_n = 5'(REGISTER_VALUE_BYTES);
        load_base = entry_base + 16'(CONFIG_REQ_ELEMENT_BYTES);
        load_ret = SCfgApply;
        if (e_q + 7'd1 == cfg_n) begin
          e_d = 7'd0;
          load_base = 16'(CONFIG_REQ_FIXED_BYTES);
          load_ret = SCfgRb;
        end
      end

      // Read back: address as requested, value from the register file (6 bytes per entry).
      SCfgRb: begin
        resp_we    = 1'b1;
        resp_waddr = RespAw'(16'd1 + entry_base - 16'(CONFIG_REQ_FIXED_BYTES) + 16'(sub_q));
        unique case (sub_q)
          3'd0: resp_wdata = cfg_addr[7:0];
          3'd1: resp_wdata = cfg_addr[15:8];
          3'd2: resp_wdata = reg_rdata[7:0];
          3'd3: resp_wdata = reg_rdata[15:8];
          3'd4: resp_wdata = reg_rdata[23:16];
          default: resp_wdata = reg_rdata[31:24];
        endcase
        sub_d = sub_q + 3'd1;
        if (sub_q == 3'd5) begin
          sub_d = 3'd0;
          e_d   = e_q + 7'd1;
          if (e_q + 7'd1 == cfg_n) begin
            done_ok  = 1'b1;
            done_len = 16'(CONFIG_RSP_FIXED_BYTES) + 16'(cfg_n) * 16'(CONFIG_RSP_ELEMENT_BYTES);
          end else begin
            start_load = 1'b1; load_n = 5'(REGISTER_VALUE_BYTES);
            load_base = entry_base + 16'(CONFIG_REQ_ELEMENT_BYTES);
            load_ret = SCfgRb;
          end
        end
      end

      // An executed request is finished: acknowledge, cache, send.
      SDone: begin
        frame_ack_o = 1'b1;
        c_valid_d   = 1'b1;
        c_seq_d     = seq_q;
        c_opc_d     = opc_q;
        c_crc_d     = crc_q;
        c_len_d     = tx_len_q;
        c_small_d   = small_q;
        c_status_d  = err_status_q;
        c_detail_d  = err_detail_q;
        state_d     = SSend;
      end

      SSend: begin
        tx_start_o = 1'b1;
        state_d    = SWait;
      end

      SWait: begin
        if (tx_done_i) begin
          state_d = SIdle;
        end
      end

      default: state_d = SIdle;
    endcase

    if (start_load) begin
      ld_base_d = load_base;
      ld_n_d    = load_n;
      ld_cnt_d  = 5'd0;
      ret_d     = load_ret;
      state_d   = SLoad;
    end
    if (fail) begin
      small_d      = 1'b1;
      err_status_d = fail_status;
      err_detail_d = fail_detail;
      tx_len_d     = 16'd3;
      state_d      = SDone;
    end
    if (done_ok) begin
      small_d  = 1'b0;
      tx_len_d = done_len;
      state_d  = SDone;
    end
  end

  // Error payload: status, DETAIL little-endian (1-cycle latency like the RAM).
  always_comb begin
    unique case (tx_raddr_i)
      16'd0:   small_byte_d = err_status_q;
      16'd1:   small_byte_d = err_detail_q[7:0];
      16'd2:   small_byte_d = err_detail_q[15:8];
      default: small_byte_d = 8'h00;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= SInit;
      ret_q        <= SIdle;
      ld_base_q    <= 16'd0;
      ld_n_q       <= 5'd0;
      ld_cnt_q     <= 5'd0;
      for (int i = 0; i < 16; i++) buf_q[i] <= 8'h00;
      seq_q        <= 8'h00;
      opc_q        <= 8'h00;
      crc_q        <= 32'h0;
      tx_len_q     <= 16'd0;
      small_q      <= 1'b0;
      err_status_q <= 8'h00;
      err_detail_q <= 16'h0;
      c_valid_q    <= 1'b0;
      c_small_q    <= 1'b0;
      c_seq_q      <= 8'h00;
      c_opc_q      <= 8'h00;
      c_status_q   <= 8'h00;
      c_crc_q      <= 32'h0;
      c_len_q      <= 16'd0;
      c_detail_q   <= 16'h0;
      init_cell_q  <= '0;
      sub_q        <= 3'd0;
      z0_q         <= '0;
      z1_q         <= '0;
      r_q          <= 16'd0;
      c_q          <= 16'd0;
      k_q          <= 10'd0;
      rd_q         <= 9'd0;
      e_q          <= 7'd0;
      cfg_write_q  <= 1'b0;
      width_q_q    <= 32'd0;
      amp_steps_q  <= 16'd0;
      cw_q         <= '0;
      small_byte_q <= 8'h00;
    end else begin
      state_q      <= state_d;
      ret_q        <= ret_d;
      ld_base_q    <= ld_base_d;
      ld_n_q       <= ld_n_d;
      ld_cnt_q     <= ld_cnt_d;
      for (int i = 0; i < 16; i++) buf_q[i] <= buf_d[i];
      seq_q        <= seq_d;
      opc_q        <= opc_d;
      crc_q        <= crc_d;
      tx_len_q     <= tx_len_d;
      small_q      <= small_d;
      err_status_q <= err_status_d;
      err_detail_q <= err_detail_d;
      c_valid_q    <= c_valid_d;
      c_small_q    <= c_small_d;
      c_seq_q      <= c_seq_d;
      c_opc_q      <= c_opc_d;
      c_status_q   <= c_status_d;
      c_crc_q      <= c_crc_d;
      c_len_q      <= c_len_d;
      c_detail_q   <= c_detail_d;
      init_cell_q  <= init_cell_d;
      sub_q        <= sub_d;
      z0_q         <= z0_d;
      z1_q         <= z1_d;
      r_q          <= r_d;
      c_q          <= c_d;
      k_q          <= k_d;
      rd_q         <= rd_d;
      e_q          <= e_d;
      cfg_write_q  <= cfg_write_d;
      width_q_q    <= width_q_d;
      amp_steps_q  <= amp_steps_d;
      cw_q         <= cw_d;
      small_byte_q <= small_byte_d;
    end
  end

  assign tx_seq_o    = seq_q;
  assign tx_opcode_o = opc_q | RESPONSE_FLAG;
  assign tx_len_o    = tx_len_q;
  assign tx_rdata_o  = small_q ? small_byte_q : resp_rdata;
  assign ready_o     = (state_q != SInit);

endmodule
