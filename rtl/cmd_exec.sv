// Command executor of the chip core: one request at a time, from a validated frame (frame_rx) to
// the response payload (frame_tx), with the retry cache, the policy registers (regfile), the
// cell memory (cell_array, one read-modify-write port) and the noise generator (lfsr).
//
// Every opcode: INFO, CONFIG, READ, PULSE and FAULT_INJECT here; PROGRAM by program_engine,
// MVM by mvm_unit and ADVANCE_TIME by relax_walker (they borrow the cell, noise, payload and
// response ports while they run); undefined opcodes answer UNKNOWN_OPCODE. FAULT_INJECT
// LINE_NOISE only sets the rate that chip_top's line_noise applies to received bytes.
// Checks and DETAIL values follow hil/backends/protocol_chip.py (the Python reference handler):
// every request is validated completely before anything is applied.
//
// Device arithmetic is bit-exact with hil/device/fixed_point.py (FixedPointArray):
//   * reset: a walker visits the cells in ascending order, four xorshift32 steps per cell
//     (g_max, V_set, V_reset Gaussians, then one raw word for levels and stuck draw);
//   * READ: one draw per read per cell, read-major, cells in ascending (row-major) order;
//     n_discard reads come first and are drawn but not averaged (= twin.read(cells, n_discard)
//     followed by twin.read(cells, n_reads));
//   * PULSE: two draws per addressed cell; a cell that moves records t_write = now.
// Writing NOISE_SEED restarts the sequence from the new seed (twin: state = seed); the cells
// keep their static parameters.
//
// Responses live in a byte RAM that frame_tx reads; error responses (status + DETAIL) come from
// registers instead, so a rejected frame (BAD_CRC / BAD_LENGTH, never cached) does not overwrite
// the cached response of the last executed request, which is re-sent on an identical retry.

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module cmd_exec
  import hil_protocol_pkg::*;
  import device_pkg::*;
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
  // FAULT_INJECT LINE_NOISE rate for line_noise (corrupted bytes per million, 0: off)
  output logic [31:0] line_noise_ppm_o,
  // Reset walker finished (diagnostic)
  output logic        ready_o
);

  localparam int unsigned Cells = ROWS * COLS;
  localparam int unsigned CellAw = (Cells > 1) ? $clog2(Cells) : 1;
  localparam int unsigned RespDepth = 2048;
  localparam int unsigned RespAw = $clog2(RespDepth);
  localparam int unsigned ReadMax = READ_RSP_MAX_ELEMENTS;
  localparam int unsigned AccAw = $clog2(ReadMax);

  // INFO response payload byte idx (status byte included).
  function automatic logic [7:0] info_byte(logic [5:0] idx);
    logic [8*INFO_RSP_FIXED_BYTES-1:0] v;
    v = {
      32'(REF_MVM_FULL_SCALE), 8'(REF_MVM_ADC_BITS), 8'(REF_MVM_INPUT_BITS),
      16'(REF_ADC_FULL_SCALE), 8'(REF_ADC_BITS), 16'(REF_MAX_WIDTH), 16'(REF_MIN_WIDTH),
      16'(REF_DAC_STEP), 16'(REF_MAX_RESET_AMPLITUDE), 16'(REF_MAX_SET_AMPLITUDE),
      CAPABILITY_PROGRAM | CAPABILITY_MVM | CAPABILITY_ADVANCE_TIME | CAPABILITY_FAULT_INJECT,
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
    SProg,
    SFiCheck,
    SFiStuck,
    SFiClear,
    SMvStart,
    SMv,
    SAtStart,
    SAtWalk,
    SAtOut,
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

  logic        rng_step, rng_step2, rng_load;
  logic [31:0] rng_seed, rng_next, rng_next2;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] rng_state;  // the generator's current state (diagnostic only)
  /* verilator lint_on UNUSEDSIGNAL */

  lfsr u_lfsr (
    .clk_i,
    .rst_ni,
    .step_i (rng_step),
    .step2_i(rng_step2),
    .load_i (rng_load),
    .seed_i (rng_seed),
    .state_o(rng_state),
    .next_o (rng_next),
    .next2_o(rng_next2)
  );

  status_e     chk_status;
  logic        reg_we;
  logic [31:0] reg_rdata;
  logic [32*14-1:0] regs;

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
    .rdata_o     (reg_rdata),
    .regs_o      (regs)
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

  // The write-verify engine (PROGRAM) borrows the payload, cell, noise and response ports.
  logic              at_start, at_start_q, at_done, at_cell_we, at_step;
  logic [63:0]       now, at_dt;
  logic [15:0]       at_temp;
  logic [CellAw-1:0] at_cell_addr, at_cell_waddr;
  cell_word_t        at_cell_wdata;

  assign at_dt   = {buf_q[ADVANCE_TIME_REQ_DT_OFFSET + 7], buf_q[ADVANCE_TIME_REQ_DT_OFFSET + 6],
                    buf_q[ADVANCE_TIME_REQ_DT_OFFSET + 5], buf_q[ADVANCE_TIME_REQ_DT_OFFSET + 4],
                    buf_q[ADVANCE_TIME_REQ_DT_OFFSET + 3], buf_q[ADVANCE_TIME_REQ_DT_OFFSET + 2],
                    buf_q[ADVANCE_TIME_REQ_DT_OFFSET + 1], buf_q[ADVANCE_TIME_REQ_DT_OFFSET]};
  assign at_temp = {buf_q[ADVANCE_TIME_REQ_TEMPERATURE_OFFSET + 1],
                    buf_q[ADVANCE_TIME_REQ_TEMPERATURE_OFFSET]};

  // FAULT_INJECT fields
  logic [7:0]        fi_kind;
  logic [15:0]       fi_row, fi_col;
  logic [31:0]       fi_value, ppm_d, ppm_q;
  logic [CellAw-1:0] fi_cell;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0]       fi_lin;  // only the cell-address bits are used (row and col are checked)
  /* verilator lint_on UNUSEDSIGNAL */

  assign fi_kind  = buf_q[FAULT_INJECT_REQ_KIND_OFFSET];
  assign fi_row   = {buf_q[FAULT_INJECT_REQ_ROW_OFFSET + 1], buf_q[FAULT_INJECT_REQ_ROW_OFFSET]};
  assign fi_col   = {buf_q[FAULT_INJECT_REQ_COL_OFFSET + 1], buf_q[FAULT_INJECT_REQ_COL_OFFSET]};
  assign fi_value = {buf_q[FAULT_INJECT_REQ_VALUE_OFFSET + 3], buf_q[FAULT_INJECT_REQ_VALUE_OFFSET + 2],
                     buf_q[FAULT_INJECT_REQ_VALUE_OFFSET + 1], buf_q[FAULT_INJECT_REQ_VALUE_OFFSET]};
  assign fi_lin   = 32'(fi_row) * 32'(COLS) + 32'(fi_col);
  assign fi_cell  = CellAw'(fi_lin);

  // The MVM unit (its request fields come from the loaded fixed part of the payload).
  logic              mv_start, mv_start_q, mv_step, mv_resp_we, mv_done;
  logic [15:0]       mv_pl_raddr, mv_detail, mv_len;
  logic [10:0]       mv_resp_waddr;
  logic [7:0]        mv_resp_wdata;
  logic [CellAw-1:0] mv_cell_addr;
  status_e           mv_status;

  mvm_unit #(.ROWS(ROWS), .COLS(COLS)) u_mvm (
    .clk_i,
    .rst_ni,
    .start_i     (mv_start_q),
    .row_i       ({buf_q[MVM_REQ_ROW_OFFSET + 1], buf_q[MVM_REQ_ROW_OFFSET]}),
    .col_i       ({buf_q[MVM_REQ_COL_OFFSET + 1], buf_q[MVM_REQ_COL_OFFSET]}),
    .n_pairs_i   ({buf_q[MVM_REQ_N_PAIRS_OFFSET + 1], buf_q[MVM_REQ_N_PAIRS_OFFSET]}),
    .n_inputs_i  (9'((len_i - 16'(MVM_REQ_FIXED_BYTES)) / 16'(MVM_REQ_ELEMENT_BYTES))),
    .read_v_i    (regs[32*REG_READ_V +: 16]),
    .pl_raddr_o  (mv_pl_raddr),
    .pl_rdata_i,
    .cell_addr_o (mv_cell_addr),
    .cell_rdata_i(cell_rdata),
    .rng_step_o  (mv_step),
    .rng_next_i  (rng_next),
    .resp_we_o   (mv_resp_we),
    .resp_waddr_o(mv_resp_waddr),
    .resp_wdata_o(mv_resp_wdata),
    .done_o      (mv_done),
    .status_o    (mv_status),
    .detail_o    (mv_detail),
    .len_o       (mv_len)
  );

  // Virtual time and the relaxation walker (ADVANCE_TIME); `now` stamps t_write of pulses.
  relax_walker #(.ROWS(ROWS), .COLS(COLS)) u_relax (
    .clk_i,
    .rst_ni,
    .start_i     (at_start_q),
    .dt_i        (at_dt),
    .temp_code_i (at_temp),
    .now_o       (now),
    .done_o      (at_done),
    .cell_addr_o (at_cell_addr),
    .cell_rdata_i(cell_rdata),
    .cell_we_o   (at_cell_we),
    .cell_waddr_o(at_cell_waddr),
    .cell_wdata_o(at_cell_wdata),
    .rng_step_o  (at_step),
    .rng_next_i  (rng_next)
  );

  logic              pe_start, pe_start_q, pe_cell_we, pe_step, pe_step2, pe_resp_we, pe_done;
  logic [7:0]        pe_n, pe_resp_wdata;
  logic [15:0]       pe_pl_raddr, pe_detail, pe_len;
  logic [10:0]       pe_resp_waddr;
  logic [CellAw-1:0] pe_cell_addr;
  cell_word_t        pe_cell_wdata;
  status_e           pe_status;

  assign pe_n = 8'(len_i / 16'(PROGRAM_REQ_ELEMENT_BYTES));

  program_engine #(.ROWS(ROWS), .COLS(COLS)) u_program (
    .clk_i,
    .rst_ni,
    .start_i     (pe_start_q),
    .n_entries_i (pe_n),
    .regs_i      (regs),
    .now_i       (now),
    .pl_raddr_o  (pe_pl_raddr),
    .pl_rdata_i,
    .cell_addr_o (pe_cell_addr),
    .cell_rdata_i(cell_rdata),
    .cell_we_o   (pe_cell_we),
    .cell_wdata_o(pe_cell_wdata),
    .rng_step_o  (pe_step),
    .rng_step2_o (pe_step2),
    .rng_next_i  (rng_next),
    .rng_next2_i (rng_next2),
    .resp_we_o   (pe_resp_we),
    .resp_waddr_o(pe_resp_waddr),
    .resp_wdata_o(pe_resp_wdata),
    .done_o      (pe_done),
    .status_o    (pe_status),
    .detail_o    (pe_detail),
    .len_o       (pe_len)
  );

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
    rng_step2   = 1'b0;
    pe_start    = 1'b0;
    at_start    = 1'b0;
    mv_start    = 1'b0;
    ppm_d       = ppm_q;
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
    out_code    = 16'd0;

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
                if (len_i % 16'(PROGRAM_REQ_ELEMENT_BYTES) != 0 ||
                    len_i > 16'(PROGRAM_REQ_ELEMENT_BYTES * PROGRAM_REQ_MAX_ELEMENTS)) begin
                  fail = 1'b1; fail_status = ST_BAD_LENGTH;
                end else if (len_i == 16'd0) begin
                  fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd0;
                end else begin
                  pe_start = 1'b1;
                  state_d  = SProg;
                end
              end
              OP_MVM: begin
                if (len_i < 16'(MVM_REQ_FIXED_BYTES) ||
                    (len_i - 16'(MVM_REQ_FIXED_BYTES)) % 16'(MVM_REQ_ELEMENT_BYTES) != 0 ||
                    (len_i - 16'(MVM_REQ_FIXED_BYTES)) >
                    16'(MVM_REQ_ELEMENT_BYTES * MVM_REQ_MAX_ELEMENTS)) begin
                  fail = 1'b1; fail_status = ST_BAD_LENGTH;
                end else begin
                  start_load = 1'b1; load_n = 5'(MVM_REQ_FIXED_BYTES); load_ret = SMvStart;
                end
              end
              OP_ADVANCE_TIME: begin
                if (len_i != 16'(ADVANCE_TIME_REQ_FIXED_BYTES)) begin
                  fail = 1'b1; fail_status = ST_BAD_LENGTH;
                end else begin
                  start_load = 1'b1; load_n = 5'(ADVANCE_TIME_REQ_FIXED_BYTES);
                  load_ret = SAtStart;
                end
              end
              OP_FAULT_INJECT: begin
                if (len_i != 16'(FAULT_INJECT_REQ_FIXED_BYTES)) begin
                  fail = 1'b1; fail_status = ST_BAD_LENGTH;
                end else begin
                  start_load = 1'b1; load_n = 5'(FAULT_INJECT_REQ_FIXED_BYTES);
                  load_ret = SFiCheck;
                end
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
        out_code   = adc_code(acc_q[k_q[AccAw-1:0]], f_n_reads);  // here only: no cost per clock
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
                                longint'({32'd0, width_q_q}), longint'(z0_q), zc, now);
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

      // FAULT_INJECT: the reference handler's checks; STUCK_CELL read-modify-writes one cell,
      // CLEAR walks every cell (one per cycle) to drop the injected flags.
      SFiCheck: begin
        resp_we    = 1'b1;  // status byte
        resp_waddr = '0;
        resp_wdata = ST_OK;
        unique case (fi_kind)
          FAULT_KIND_CLEAR: begin
            ppm_d       = 32'd0;
            init_cell_d = '0;
            cell_addr   = '0;
            state_d     = SFiClear;
          end
          FAULT_KIND_STUCK_CELL: begin
            if (32'(fi_row) >= 32'(ROWS)) begin
              fail = 1'b1; fail_status = ST_BAD_ADDRESS; fail_detail = 16'd1;
            end else if (32'(fi_col) >= 32'(COLS)) begin
              fail = 1'b1; fail_status = ST_BAD_ADDRESS; fail_detail = 16'd2;
            end else if (fi_value > 32'hFFFF) begin
              fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd3;
            end else begin
              cell_addr = fi_cell;
              state_d   = SFiStuck;
            end
          end
          FAULT_KIND_LINE_NOISE: begin
            if (fi_value > 32'(LineNoiseFullScale)) begin
              fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd3;
            end else begin
              ppm_d    = fi_value;
              done_ok  = 1'b1;
              done_len = 16'(FAULT_INJECT_RSP_FIXED_BYTES);
            end
          end
          default: begin
            fail = 1'b1; fail_status = ST_BAD_ARGUMENT; fail_detail = 16'd0;
          end
        endcase
      end

      SFiStuck: begin
        cell_we          = 1'b1;
        cell_waddr       = fi_cell;
        cell_wdata       = cell_rdata;
        cell_wdata.inj   = 1'b1;
        cell_wdata.inj_g = fi_value[15:0];
        done_ok          = 1'b1;
        done_len         = 16'(FAULT_INJECT_RSP_FIXED_BYTES);
      end

      SFiClear: begin
        cell_we        = 1'b1;
        cell_waddr     = CellAw'(init_cell_q);
        cell_wdata     = cell_rdata;
        cell_wdata.inj = 1'b0;
        cell_addr      = CellAw'(init_cell_q + 1'b1);
        init_cell_d    = init_cell_q + 1'b1;
        if (init_cell_q == (CellAw + 1)'(Cells - 1)) begin
          done_ok  = 1'b1;
          done_len = 16'(FAULT_INJECT_RSP_FIXED_BYTES);
        end
      end

      // MVM: the unit owns the payload, cell, noise and response ports until done.
      SMvStart: begin
        mv_start = 1'b1;
        state_d  = SMv;
      end

      SMv: begin
        pl_raddr_o = mv_pl_raddr;
        cell_addr  = mv_cell_addr;
        rng_step   = mv_step;
        resp_we    = mv_resp_we;
        resp_waddr = mv_resp_waddr;
        resp_wdata = mv_resp_wdata;
        if (mv_done) begin
          if (mv_status == ST_OK) begin
            done_ok  = 1'b1;
            done_len = mv_len;
          end else begin
            fail = 1'b1; fail_status = mv_status; fail_detail = mv_detail;
          end
        end
      end

      // ADVANCE_TIME: the walker owns the cell and noise ports until done, then the response
      // (status, now) is written.
      SAtStart: begin
        at_start = 1'b1;
        state_d  = SAtWalk;
      end

      SAtWalk: begin
        cell_addr  = at_cell_addr;
        cell_waddr = at_cell_waddr;
        cell_we    = at_cell_we;
        cell_wdata = at_cell_wdata;
        rng_step   = at_step;
        if (at_done) begin
          k_d     = 10'd0;
          state_d = SAtOut;
        end
      end

      SAtOut: begin
        resp_we    = 1'b1;
        resp_waddr = RespAw'(k_q);
        resp_wdata = (k_q == 10'd0) ? ST_OK : now[8*(k_q[2:0]-3'd1) +: 8];
        k_d        = k_q + 10'd1;
        if (k_q == 10'(ADVANCE_TIME_RSP_FIXED_BYTES - 1)) begin
          done_ok  = 1'b1;
          done_len = 16'(ADVANCE_TIME_RSP_FIXED_BYTES);
        end
      end

      // PROGRAM: the engine owns the payload, cell, noise and response ports until done.
      SProg: begin
        pl_raddr_o = pe_pl_raddr;
        cell_addr  = pe_cell_addr;
        cell_waddr = pe_cell_addr;
        cell_we    = pe_cell_we;
        cell_wdata = pe_cell_wdata;
        rng_step   = pe_step;
        rng_step2  = pe_step2;
        resp_we    = pe_resp_we;
        resp_waddr = pe_resp_waddr;
        resp_wdata = pe_resp_wdata;
        if (pe_done) begin
          if (pe_status == ST_OK) begin
            done_ok  = 1'b1;
            done_len = pe_len;
          end else begin
            fail = 1'b1; fail_status = pe_status; fail_detail = pe_detail;
          end
        end
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
      pe_start_q   <= 1'b0;
      at_start_q   <= 1'b0;
      mv_start_q   <= 1'b0;
      ppm_q        <= 32'd0;
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
      pe_start_q   <= pe_start;  // registered: keeps the engine off cmd_exec's decode path
      at_start_q   <= at_start;  // (and the walker, and the MVM unit)
      mv_start_q   <= mv_start;
      ppm_q        <= ppm_d;
    end
  end

  assign tx_seq_o    = seq_q;
  assign tx_opcode_o = opc_q | RESPONSE_FLAG;
  assign tx_len_o    = tx_len_q;
  assign tx_rdata_o  = small_q ? small_byte_q : resp_rdata;
  assign ready_o     = (state_q != SInit);
  assign line_noise_ppm_o = ppm_q;

endmodule
